package dev.smc.spi;

import dev.smc.NetworkMode;
import dev.smc.TaskId;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Creates and releases transit instances (the machine near the store that receives a task's data)
 * and, later, launches instances from images. Implementations are thread-safe. A transit instance
 * costs money while it exists: callers release every instance they create, and {@link #transits()}
 * lets a caller prove none was leaked.
 */
public interface InstanceProvider {
  /** Creates the transit instance of a task. */
  TransitInstance createTransit(TaskId task) throws IOException;

  /** Releases it; releasing one already released is not an error. */
  void releaseTransit(TransitInstance instance) throws IOException;

  /** The transit instances that exist now. */
  List<TransitInstance> transits() throws IOException;

  /**
   * Makes sure a transit instance that exists (one of {@link #transits()}) is serving, restarting
   * it if it stopped (the machine rebooted, its process died), and returns it as it serves now.
   * Default: returns it unchanged.
   */
  default TransitInstance ensureRunning(TransitInstance instance) throws IOException {
    return instance;
  }

  /**
   * Whether a transit instance that exists is serving now, so that a scheduler can say when
   * {@link #ensureRunning} had to start it again (its endpoint may be the same afterwards).
   * Default: true.
   */
  default boolean isServing(TransitInstance instance) throws IOException {
    return true;
  }

  /**
   * A transit instance: its id, owner task, the endpoints a source sends to over the public and
   * the private network, and the credentials that endpoint asks for (empty when it asks none, as
   * for a folder on this machine). {@link #toString()} never prints the token.
   */
  record TransitInstance(String id, TaskId task, String publicEndpoint, String privateEndpoint,
      Optional<Access> access) {
    public TransitInstance {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(task, "task");
      Objects.requireNonNull(publicEndpoint, "publicEndpoint");
      Objects.requireNonNull(privateEndpoint, "privateEndpoint");
      Objects.requireNonNull(access, "access");
    }

    /** One endpoint for both networks and no credentials. */
    public TransitInstance(String id, TaskId task, String endpoint) {
      this(id, task, endpoint, endpoint, Optional.empty());
    }

    /** The endpoint a task on {@code network} sends to. */
    public String endpoint(NetworkMode network) {
      return network instanceof NetworkMode.Private ? privateEndpoint : publicEndpoint;
    }

    /** The public endpoint. */
    public String endpoint() {
      return publicEndpoint;
    }
  }

  /**
   * What a source presents to a transit instance: a bearer token allowed one repository, and the
   * SHA-256 fingerprint of the certificate the instance serves ({@code sha256:HEX}), which the
   * source pins. {@link #toString()} never prints the token.
   */
  record Access(String token, String pin) {
    public Access {
      Objects.requireNonNull(token, "token");
      Objects.requireNonNull(pin, "pin");
    }

    @Override
    public String toString() {
      return "Access[token=***, pin=" + pin + "]";
    }
  }
}
