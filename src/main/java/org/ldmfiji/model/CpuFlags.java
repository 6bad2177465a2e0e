package org.ldmfiji.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/** The instruction-set flags a Linux kernel lists for the CPU ({@code /proc/cpuinfo}); none elsewhere. */
final class CpuFlags {

	private CpuFlags() {}

	/** Whether the {@code flags} line of {@code cpuinfo} names {@code flag}; false where the file cannot be read. */
	static boolean has(Path cpuinfo, String flag) {
		try {
			return Files.isReadable(cpuinfo)
				&& Pattern.compile("(?m)^flags\\s*:.*\\b" + Pattern.quote(flag) + "\\b").matcher(Files.readString(cpuinfo)).find();
		}
		catch (IOException e) {
			return false;
		}
	}
}
