package dev.smc.testkit;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal HTTP proxy on loopback that only tunnels: it answers {@code CONNECT host:port} with
 * 200 and then copies bytes both ways until either side closes (RFC 9110 section 9.3.6), as the
 * proxies in front of many data centres do for TLS. {@link #refuseTunnels} makes it answer 403
 * instead, as a proxy whose policy forbids the target. Any other method gets 405; a target it
 * cannot reach gets 502. It records every request line it received.
 *
 * <p>Thread-safe. Its threads are daemons named {@code smc-testkit-connect-PORT-…}; {@link #close()}
 * stops listening and closes every tunnel.
 */
public final class ConnectProxy implements Closeable {
  private static final int MAX_HEAD = 8192;

  private final ServerSocket server;
  private final Thread acceptor;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final List<String> requests = new ArrayList<>();
  private final AtomicInteger tunnels = new AtomicInteger();
  private volatile boolean refusing;
  private volatile boolean closed;

  private ConnectProxy() throws IOException {
    this.server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::accept, "smc-testkit-connect-" + server.getLocalPort() + "-accept");
    acceptor.setDaemon(true);
  }

  /** Listens on a free loopback port. */
  public static ConnectProxy start() throws IOException {
    ConnectProxy p = new ConnectProxy();
    p.acceptor.start();
    return p;
  }

  /** Where clients reach it. */
  public InetSocketAddress address() {
    return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
  }

  /** While on, every CONNECT is answered {@code 403 Forbidden}; tunnels already open go on. */
  public void refuseTunnels(boolean on) {
    refusing = on;
  }

  /** Tunnels opened so far. */
  public int tunnels() {
    return tunnels.get();
  }

  /** Every request line received so far, in order (such as {@code CONNECT 127.0.0.1:8443 HTTP/1.1}). */
  public List<String> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    sockets.forEach(ConnectProxy::closeQuietly);
  }

  @Override
  public String toString() {
    return "ConnectProxy[" + address() + "]";
  }

  private void accept() {
    int n = 0;
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        continue; // closed, or a connection gone before it was taken
      }
      sockets.add(client);
      Thread t = new Thread(() -> serve(client), "smc-testkit-connect-" + server.getLocalPort() + "-" + ++n);
      t.setDaemon(true);
      t.start();
    }
  }

  private void serve(Socket client) {
    Socket target = null;
    try {
      client.setSoTimeout(30_000); // for the head only; a tunnel may be idle as long as its ends like
      InputStream in = client.getInputStream();
      OutputStream out = client.getOutputStream();
      String line = readHead(in);
      synchronized (requests) {
        requests.add(line);
      }
      String[] f = line.split(" ");
      if (f.length != 3 || !f[2].startsWith("HTTP/1.")) {
        answer(out, 400, "Bad Request", "not an HTTP/1.x request line");
        return;
      }
      if (!f[0].equals("CONNECT")) {
        answer(out, 405, "Method Not Allowed", "this proxy only tunnels (CONNECT host:port)");
        return;
      }
      if (refusing) {
        answer(out, 403, "Forbidden", "tunnels to " + f[1] + " are not allowed by this proxy's policy");
        return;
      }
      InetSocketAddress to = parseTarget(f[1]);
      if (to == null) {
        answer(out, 400, "Bad Request", "CONNECT target '" + f[1] + "': allowed host:port");
        return;
      }
      target = new Socket();
      sockets.add(target);
      try {
        target.connect(to, 5_000);
      } catch (IOException e) {
        answer(out, 502, "Bad Gateway", "cannot reach " + f[1] + ": " + e.getMessage());
        return;
      }
      out.write("HTTP/1.1 200 Connection Established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      tunnels.incrementAndGet();
      client.setSoTimeout(0);
      Socket t = target;
      Thread back = new Thread(() -> copy(t, client), Thread.currentThread().getName() + "-back");
      back.setDaemon(true);
      back.start();
      copy(client, target);
      back.join();
    } catch (IOException e) {
      // the client went away or sent garbage: nothing to answer
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closeQuietly(client);
      closeQuietly(target);
      sockets.remove(client);
      if (target != null) {
        sockets.remove(target);
      }
    }
  }

  /** Copies until the end of {@code from}, then passes the end on (half-close). */
  private static void copy(Socket from, Socket to) {
    try {
      from.getInputStream().transferTo(to.getOutputStream());
      to.shutdownOutput();
    } catch (IOException e) {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  /** Reads the request head byte by byte (not one byte of a tunnel may be read here); returns its first line. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("connection closed inside the request head");
      }
      if (head.size() >= MAX_HEAD) {
        throw new IOException("request head longer than " + MAX_HEAD + " bytes");
      }
      head.write(c);
      matched = (c == '\r' && matched % 2 == 0) || (c == '\n' && matched % 2 == 1) ? matched + 1
          : c == '\r' ? 1 : 0;
    }
    String s = head.toString(StandardCharsets.ISO_8859_1);
    return s.substring(0, s.indexOf("\r\n"));
  }

  private static InetSocketAddress parseTarget(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      return null;
    }
    String host = hostPort.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    try {
      int port = Integer.parseInt(hostPort.substring(colon + 1));
      return port < 1 || port > 65535 ? null : new InetSocketAddress(host, port);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static void answer(OutputStream out, int status, String reason, String text) throws IOException {
    byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
    out.write(("HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
        + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(body);
    out.flush();
  }

  private static void closeQuietly(Socket s) {
    if (s != null) {
      try {
        s.close();
      } catch (IOException e) {
        // nothing more to do
      }
    }
  }
}
