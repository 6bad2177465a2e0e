package org.ldmfiji.task;

import java.util.Locale;

/** The memory check that runs before a job starts: a result that would not fit in the Java heap is refused early. */
public final class HeapCheck {

	private HeapCheck() {}

	/** Refuses to start when {@code bytes} more would not fit in the Java heap, saying how large it would be. */
	public static void require(long bytes, String what) {
		Runtime rt = Runtime.getRuntime();
		long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
		if (bytes > free) throw new IllegalArgumentException(String.format(Locale.ROOT,
			"%s would need %s but only %s of memory is free (maximum %s): process a crop or fewer planes, or give "
				+ "Java more memory (Fiji: Edit > Options > Memory & Threads; ./ldm: LDM_HEAP=%s)", what, size(bytes),
			size(free), size(rt.maxMemory()), largerHeap()));
	}

	/** The heap to suggest for ./ldm's LDM_HEAP: twice the present maximum in whole GiB, at least 2g. */
	public static String largerHeap() {
		return Math.max(2, 2 * ((Runtime.getRuntime().maxMemory() + (1L << 30) - 1) >> 30)) + "g";
	}

	static String size(long bytes) {
		if (bytes >= 1L << 30) return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
		return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
	}
}
