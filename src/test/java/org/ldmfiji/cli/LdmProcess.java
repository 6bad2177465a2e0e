package org.ldmfiji.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code ./ldm ARGS} as a separate JVM, started the way the launcher starts it (its system properties, the test's
 * class path in place of the launcher's build), in a given working folder: for what only a whole process shows
 * (stderr of the native library, signals, exit codes).
 */
final class LdmProcess {

	private LdmProcess() {}

	/** A builder for {@code ./ldm args} in {@code workDir}; stdout and stderr go to files there. */
	static ProcessBuilder builder(Path workDir, String... args) {
		List<String> command = new ArrayList<>(Arrays.asList(Paths.get(System.getProperty("java.home"), "bin", "java")
			.toString(), "-Xmx1g", "-Djava.awt.headless=true", "-Dai.djl.offline=true",
			"-Dldm.models=" + System.getProperty("ldm.models", Paths.get("models").toAbsolutePath().toString()),
			// the launcher's logging settings (./ldm)
			"-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
			"-Dorg.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils=error",
			"-cp", System.getProperty("java.class.path"), Main.class.getName()));
		command.addAll(Arrays.asList(args));
		ProcessBuilder b = new ProcessBuilder(command).directory(workDir.toFile());
		b.redirectOutput(workDir.resolve("stdout.txt").toFile());
		b.redirectError(workDir.resolve("stderr.txt").toFile());
		return b;
	}

	/** Where a C compiler is on the PATH ({@code cc}), its path; else null. */
	static String compiler() {
		for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
			File cc = new File(dir, "cc");
			if (cc.canExecute()) return cc.getPath();
		}
		return null;
	}

	/** Runs a command to its end and fails with its output if it does not exit 0. */
	static void check(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
		ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true);
		b.environment().putAll(env);
		Process p = b.start();
		String output = new String(p.getInputStream().readAllBytes());
		if (p.waitFor() != 0) throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
	}
}
