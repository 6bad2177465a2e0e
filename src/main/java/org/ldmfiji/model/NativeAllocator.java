package org.ldmfiji.model;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * glibc's {@code malloc} kept from handing libtorch's large activation buffers back to the kernel after every
 * forward (issue #19).
 * <p>
 * Why: libtorch's CPU allocator takes every tensor from {@code malloc} and frees it when the forward ends. With
 * glibc's defaults a block of tens of MB (a batch of 124² latent tiles: about 28 MB per activation) is either mapped
 * on its own ({@code mmap}, at most 32 MB of threshold) or grows a thread arena's heap that is trimmed or unmapped as
 * soon as it is free again; the next forward touches fresh pages, and the kernel zeroes every one of them. Measured
 * on one 4096² denoising step of the demo model (81 tiles of 124², 2 per forward, one libtorch thread): 5.07 million
 * minor page faults and 34 s of system time against 79 s of user time; with {@code M_MMAP_MAX = 0} and a trim
 * threshold of {@value #TRIM_THRESHOLD} bytes set in the environment, 0.33 million and 5.6 s (README, "Native memory
 * between forwards").
 * <p>
 * Set from inside the running JVM, as here, the settings hold in most runs but not all (a thread that already owns
 * an arena keeps it, and glibc unmaps a wholly free extra arena heap whatever the trim threshold): {@code ./ldm}
 * therefore sets glibc's variables before the JVM starts ({@code MALLOC_ARENA_MAX=1}, {@code MALLOC_MMAP_MAX_=0},
 * {@code MALLOC_TRIM_THRESHOLD_}), and this class then leaves glibc alone; in Fiji this is what can be done.
 * <p>
 * What: {@code mallopt(M_MMAP_MAX, 0)} (blocks come from the arenas' heaps, which glibc still maps where a heap
 * cannot grow) and {@code mallopt(M_TRIM_THRESHOLD, 1 GiB)} (free memory at the top of a heap up to that size is kept
 * for the next forward instead of returned). The process keeps up to that much freed native memory mapped; the JVM's
 * own heap is not affected. Set once per process, before the first forward, on Linux with glibc only; skipped when
 * the user set glibc's malloc variables ({@code MALLOC_*}, {@code GLIBC_TUNABLES}), whose choice wins, or with
 * {@code -D}{@value #PROPERTY}{@code =false}. Without JNA (plain ImageJ 1.x) nothing changes. Executors that other
 * machines start (a Spark cluster's workers) get the variables through the job ({@link #forExecutors}).
 */
public final class NativeAllocator {

	/** The system property that turns the settings off ({@code false}). */
	static final String PROPERTY = "ldm.malloc.keep";
	/** glibc's {@code M_TRIM_THRESHOLD} and {@code M_MMAP_MAX} ({@code malloc.h}). */
	static final int M_TRIM_THRESHOLD = -1, M_MMAP_MAX = -4;
	/** Free memory kept at the top of a heap: more than one forward's activations at the largest automatic tiles. */
	static final int TRIM_THRESHOLD = 1 << 30;

	/**
	 * glibc's variables as {@code ./ldm} sets them before the JVM starts (the script holds the same three: it runs
	 * before any Java): one arena, no blocks mapped on their own, free memory kept up to {@value #TRIM_THRESHOLD} bytes.
	 */
	public static final Map<String, String> ENVIRONMENT = Map.of("MALLOC_ARENA_MAX", "1", "MALLOC_MMAP_MAX_", "0",
		"MALLOC_TRIM_THRESHOLD_", Integer.toString(TRIM_THRESHOLD));

	private static Boolean applied;

	private NativeAllocator() {}

	/** Applies the settings once; true when they are in force. Throws a {@link LinkageError} without JNA. */
	static synchronized boolean apply() {
		if (applied == null) applied = wanted(System.getenv(), System.getProperty(PROPERTY)) && setBoth();
		return applied;
	}

	/**
	 * Hands the free memory the C library keeps back to the system ({@code malloc_trim(0)}), e.g. when the models
	 * are released: on Linux whoever made glibc keep it (this class, or {@code ./ldm}'s variables).
	 */
	static void giveBack() {
		if (!Platform.isLinux()) return;
		try {
			NativeLibrary.getInstance(Platform.C_LIBRARY_NAME).getFunction("malloc_trim").invokeInt(new Object[] { 0 });
		}
		catch (UnsatisfiedLinkError | RuntimeException e) {
			// nothing kept to give back
		}
	}

	/** Whether {@link #apply()} ran, and then whether the settings are in force (null: not tried yet). */
	static synchronized Boolean state() {
		return applied;
	}

	/** Whether to change glibc's settings: not when turned off, not when the user set glibc's own variables. */
	static boolean wanted(Map<String, String> environment, String property) {
		if ("false".equalsIgnoreCase(property)) return false;
		for (String name : environment.keySet()) if (isGlibcVariable(name)) return false;
		return true;
	}

	/**
	 * glibc's variables for executor JVMs that neither {@code ./ldm} nor this process starts (a Spark cluster's
	 * workers start them, with the worker's environment): none when the job already sets one of glibc's variables for
	 * its executors (the user's choice wins), else the driver's own (those {@code ./ldm} set, or the user's), else
	 * {@link #ENVIRONMENT}.
	 *
	 * @param driver the driver's environment
	 * @param executorVariables the names of the variables the job already sets for its executors
	 */
	public static Map<String, String> forExecutors(Map<String, String> driver, Set<String> executorVariables) {
		for (String name : executorVariables) if (isGlibcVariable(name)) return Map.of();
		Map<String, String> own = new LinkedHashMap<>();
		driver.forEach((name, value) -> {
			if (isGlibcVariable(name)) own.put(name, value);
		});
		return own.isEmpty() ? ENVIRONMENT : own;
	}

	private static boolean isGlibcVariable(String name) {
		return name.equals("GLIBC_TUNABLES") || name.startsWith("MALLOC_");
	}

	private static boolean setBoth() {
		if (!Platform.isLinux() || Platform.isAndroid()) return false;
		try {
			Function mallopt = NativeLibrary.getInstance(Platform.C_LIBRARY_NAME).getFunction("mallopt");
			// mallopt returns 1 on success, 0 on failure (a C library without these parameters, e.g. musl: no symbol)
			return mallopt.invokeInt(new Object[] { M_MMAP_MAX, 0 }) == 1
				&& mallopt.invokeInt(new Object[] { M_TRIM_THRESHOLD, TRIM_THRESHOLD }) == 1;
		}
		catch (UnsatisfiedLinkError | RuntimeException e) {
			return false;
		}
	}
}
