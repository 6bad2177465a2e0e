package org.ldmfiji.tiling;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;

import org.ldmfiji.model.TorchRuntime;

import java.io.IOException;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * What the process and the device have in memory, read from Linux's {@code /proc} (the resident set covers the
 * JVM heap in use and native memory: libtorch's CPU tensors, the loaded models) and from CUDA for a GPU.
 * Elsewhere (no /proc) the methods return −1 and callers fall back to estimates.
 */
public final class NativeMemory {

	private static final Path STATUS = Paths.get("/proc/self/status"), CLEAR_REFS = Paths.get("/proc/self/clear_refs"),
		MEMINFO = Paths.get("/proc/meminfo"), STAT = Paths.get("/proc/self/stat");

	private NativeMemory() {}

	/**
	 * The process's minor page faults so far (field 10 of /proc/self/stat, {@code minflt}): pages the kernel had to
	 * map and zero, e.g. buffers the C library returned and took again; −1 without /proc.
	 */
	public static long minorFaults() {
		try {
			String stat = Files.readString(STAT);
			// after "pid (comm) ": state ppid pgrp session tty_nr tpgid flags minflt
			String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
			return Long.parseLong(fields[7]);
		}
		catch (IOException | RuntimeException e) {
			return -1;
		}
	}

	/** VmRSS: the process's resident memory now, in bytes, or −1. */
	public static long residentBytes() {
		return statusField(STATUS, "VmRSS:");
	}

	/** VmHWM: the process's peak resident memory since start or the last {@link #resetPeak}, in bytes, or −1. */
	public static long peakResidentBytes() {
		return statusField(STATUS, "VmHWM:");
	}

	/** Resets VmHWM to the current resident size (writes 5 to /proc/self/clear_refs); false where not possible. */
	public static boolean resetPeak() {
		try {
			Files.write(CLEAR_REFS, "5".getBytes(StandardCharsets.US_ASCII));
			return true;
		}
		catch (IOException | RuntimeException e) {
			return false;
		}
	}

	/**
	 * How much more the process's resident memory grew at its peak while {@code work} ran, in bytes, or −1. The free
	 * memory the C library keeps for the next forward is handed back first, so that what the work needs shows.
	 */
	public static long peakGrowthDuring(Runnable work) {
		TorchRuntime.returnFreeNativeMemory();
		long before = residentBytes();
		boolean reset = resetPeak();
		work.run();
		if (!reset || before < 0) return -1;
		return Math.max(0, peakResidentBytes() - before);
	}

	/**
	 * Memory a computation on {@code device} can still use, in bytes: for a GPU the device's free memory, for the
	 * CPU MemAvailable of /proc/meminfo; −1 if unknown.
	 */
	public static long availableBytes(Device device) {
		if (device.isGpu()) {
			try {
				MemoryUsage m = CudaUtils.getGpuMemory(device);
				return m.getMax() - m.getCommitted();
			}
			catch (RuntimeException | LinkageError e) {
				return -1;
			}
		}
		return statusField(MEMINFO, "MemAvailable:");
	}

	/** A "Name:   123 kB" line of a /proc file, in bytes, or −1. */
	private static long statusField(Path file, String name) {
		try {
			for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
				if (!line.startsWith(name)) continue;
				String[] parts = line.substring(name.length()).trim().split("\\s+");
				long v = Long.parseLong(parts[0]);
				return parts.length > 1 && parts[1].equalsIgnoreCase("kB") ? v * 1024 : v;
			}
		}
		catch (IOException | RuntimeException e) {
			return -1;
		}
		return -1;
	}
}
