package dev.smc.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConnectProxyTest {
  private static String head(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    while (!sb.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        break;
      }
      sb.append((char) c);
    }
    return sb.toString();
  }

  private static Socket ask(ConnectProxy proxy, String requestLine) throws IOException {
    Socket s = new Socket(proxy.address().getAddress(), proxy.address().getPort());
    s.setSoTimeout(10_000);
    s.getOutputStream().write((requestLine + "\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    return s;
  }

  @Test
  void tunnelsToTheTargetAndRecordsTheRequest() throws Exception {
    try (EchoServer echo = new EchoServer(); ConnectProxy proxy = ConnectProxy.start()) {
      String line = "CONNECT 127.0.0.1:" + echo.address().getPort() + " HTTP/1.1";
      try (Socket s = ask(proxy, line)) {
        assertTrue(head(s.getInputStream()).startsWith("HTTP/1.1 200 "));
        byte[] data = "through the tunnel, any bytes".getBytes(StandardCharsets.UTF_8);
        s.getOutputStream().write(data);
        assertArrayEquals(data, s.getInputStream().readNBytes(data.length));
      }
      assertEquals(List.of(line), proxy.requests());
      assertEquals(1, proxy.tunnels());
    }
  }

  @Test
  void refusesWith403WhenToldAndOtherMethodsWith405() throws Exception {
    try (EchoServer echo = new EchoServer(); ConnectProxy proxy = ConnectProxy.start()) {
      proxy.refuseTunnels(true);
      try (Socket s = ask(proxy, "CONNECT 127.0.0.1:" + echo.address().getPort() + " HTTP/1.1")) {
        String head = head(s.getInputStream());
        assertTrue(head.startsWith("HTTP/1.1 403 Forbidden\r\n"), head);
      }
      try (Socket s = ask(proxy, "GET http://127.0.0.1/ HTTP/1.1")) {
        assertTrue(head(s.getInputStream()).startsWith("HTTP/1.1 405 "));
      }
      assertEquals(0, proxy.tunnels());
    }
  }
}
