package org.ldmfiji.cli;

import org.ldmfiji.tiling.NativeMemory;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Samples, while open, the process's resident set and the JVM heap in use, to split a run's peak memory into its
 * two parts: the heap (Java arrays, e.g. the output image, plus garbage not yet collected) and the rest, which is
 * native memory (libtorch's tensors, the models, the JVM's own). "Native" is the largest resident-minus-heap-in-use
 * seen: an upper bound, since heap pages in use are resident. Sampling every {@link #PERIOD_MS} ms can miss a
 * shorter peak.
 */
final class MemorySplit implements AutoCloseable {

	static final long PERIOD_MS = 10;

	private final MemoryMXBean heap = ManagementFactory.getMemoryMXBean();
	private final Thread thread;
	private volatile boolean running = true;
	private volatile long maxHeap, maxNative;

	MemorySplit() {
		thread = new Thread(() -> {
			while (running) {
				sample();
				try {
					Thread.sleep(PERIOD_MS);
				}
				catch (InterruptedException e) {
					return;
				}
			}
		}, "ldm-memory-split");
		thread.setDaemon(true);
		sample();
		thread.start();
	}

	private void sample() {
		long used = heap.getHeapMemoryUsage().getUsed(), rss = NativeMemory.residentBytes();
		maxHeap = Math.max(maxHeap, used);
		if (rss >= 0) maxNative = Math.max(maxNative, rss - used);
	}

	/** Largest heap in use seen, bytes. */
	long heapPeak() {
		return maxHeap;
	}

	/** Largest resident set minus heap in use seen, bytes. */
	long nativePeak() {
		return maxNative;
	}

	@Override
	public void close() {
		running = false;
		try {
			thread.join();
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		sample();
	}
}
