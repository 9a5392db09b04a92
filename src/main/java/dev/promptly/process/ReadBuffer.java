package dev.promptly.process;

import com.sun.jna.Memory;
import java.nio.ByteBuffer;

/**
 * A poller thread's one read buffer: native memory that read(2) fills, and a ByteBuffer view over
 * it, made once (a view costs a JNI call), through which a chunk is copied into a Vert.x Buffer.
 */
final class ReadBuffer {
  /** Size of every read. */
  static final int SIZE = 256 * 1024;

  final Memory memory = new Memory(SIZE);
  private final ByteBuffer view = memory.getByteBuffer(0, SIZE);

  /** The first {@code n} bytes read, as a view (valid until the next read on this thread). */
  ByteBuffer first(int n) {
    return view.clear().limit(n);
  }
}
