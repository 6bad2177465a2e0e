package org.ldmfiji.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** The process's minor page faults so far, from Linux's {@code /proc/self/stat} (field 10, {@code minflt}). */
final class MinorFaults {

	private static final Path STAT = Paths.get("/proc/self/stat");

	private MinorFaults() {}

	/** The count, or -1 where there is no /proc (not Linux). */
	static long process() {
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
}
