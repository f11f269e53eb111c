package dev.smc.spi;

import dev.smc.TaskId;
import java.io.IOException;
import java.util.List;

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

  /** A running transit instance: its id, owner task and the endpoint a source sends to. */
  record TransitInstance(String id, TaskId task, String endpoint) {}
}
