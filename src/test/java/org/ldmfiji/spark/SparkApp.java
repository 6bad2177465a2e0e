package org.ldmfiji.spark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The Spark application (spark/target/ldm-spark.jar, built by the root pom's pre-integration-test phase) run as
 * ./ldm spark runs it: its own JVM with the --add-opens flags of spark/jvm.options and Spark on the class path.
 */
final class SparkApp {

	static final Path BASE = Paths.get(System.getProperty("ldm.basedir", "."));
	static final Path JAR = BASE.resolve("spark/target/ldm-spark.jar");
	static final Path DEMO = BASE.resolve("models/demo");

	/** What a run printed and how it ended. */
	static final class Run {
		final int code;
		final String out;

		Run(int code, String out) {
			this.code = code;
			this.out = out;
		}
	}

	private SparkApp() {}

	static List<String> jvmOptions() throws IOException {
		List<String> o = new ArrayList<>();
		for (String l : Files.readAllLines(BASE.resolve("spark/jvm.options"))) if (!l.isBlank()) o.add(l.trim());
		return o;
	}

	/** The local class path: the application jar and Spark with its dependencies. */
	static String classPath() throws IOException {
		return JAR + java.io.File.pathSeparator + Files.readString(BASE.resolve("spark/target/spark.classpath")).trim();
	}

	static List<String> sparkJars() throws IOException {
		return Arrays.asList(Files.readString(BASE.resolve("spark/target/spark.classpath")).trim().split(java.io.File.pathSeparator));
	}

	static ProcessBuilder java(String mainClass, List<String> args) throws IOException {
		List<String> cmd = new ArrayList<>();
		cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
		cmd.add("-Xmx1g");
		cmd.addAll(jvmOptions());
		cmd.add("-Djava.awt.headless=true");
		cmd.add("-Dai.djl.offline=true");
		cmd.add("-cp");
		cmd.add(classPath());
		cmd.add(mainClass);
		cmd.addAll(args);
		return new ProcessBuilder(cmd).redirectErrorStream(true);
	}

	/** Runs {@code ./ldm spark ARGS}; each output line also goes to {@code onLine} as it comes. */
	static Run run(List<String> args, Consumer<String> onLine) throws IOException, InterruptedException {
		Process p = java("org.ldmfiji.spark.SparkMain", args).start();
		StringBuilder out = new StringBuilder();
		try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
			for (String line; (line = r.readLine()) != null;) {
				out.append(line).append('\n');
				onLine.accept(line);
			}
		}
		if (!p.waitFor(10, TimeUnit.MINUTES)) p.destroyForcibly();
		return new Run(p.exitValue(), out.toString());
	}

	static Run run(String... args) throws IOException, InterruptedException {
		return run(Arrays.asList(args), line -> {});
	}

	/** {@code ./ldm superres} (the single-machine CLI) in its own JVM on the test class path. */
	static Run cli(String... args) throws IOException, InterruptedException {
		List<String> cmd = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
			"-Xmx1g", "-Djava.awt.headless=true", "-Dai.djl.offline=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
			"-cp", System.getProperty("java.class.path"), "org.ldmfiji.cli.Main"));
		cmd.addAll(Arrays.asList(args));
		Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
		String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		p.waitFor();
		return new Run(p.exitValue(), out);
	}
}
