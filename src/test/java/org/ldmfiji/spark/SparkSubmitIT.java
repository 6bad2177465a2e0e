package org.ldmfiji.spark;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's spark-submit line, run as spark-submit runs it (issue #21): bin/spark-submit is spark-class, which
 * asks Spark's launcher (org.apache.spark.launcher.Main, from SPARK_HOME/jars) for the driver's command line and
 * executes it: java with Spark's jars and Java 17 flags, running org.apache.spark.deploy.SparkSubmit with the line's
 * arguments. The test does the same against a standalone cluster it starts on 127.0.0.1 (a master, two workers),
 * with the README line's flags and paths put in (and --steps 2 added to keep it short), and checks the result
 * equals {@code ./ldm superres} image for image.
 */
class SparkSubmitIT {

	@TempDir
	static Path dir;

	/** The README's spark-submit command (the fenced line starting with spark-submit, continuation lines joined). */
	static List<String> readmeLine() throws Exception {
		String readme = Files.readString(SparkApp.BASE.resolve("README.md"));
		Matcher m = Pattern.compile("(?m)^spark-submit (?:.*\\\\\\n)*.*$").matcher(readme);
		assertTrue(m.find(), "README.md has a spark-submit line");
		String line = m.group().replace("\\\n", " ");
		List<String> out = new ArrayList<>(Arrays.asList(line.trim().split("\\s+")));
		assertEquals("spark-submit", out.remove(0));
		return out;
	}

	@Test
	void theReadmeSparkSubmitLineRunsOnAStandaloneCluster() throws Exception {
		Path in = Files.createDirectories(dir.resolve("plate")), out = dir.resolve("plate-x4");
		Images.save(in.resolve("a.tif"), 32, 28, 8, 1);
		Images.save(in.resolve("b.tif"), 24, 20, 16, 1);
		List<String> args = new ArrayList<>();
		try (StandaloneCluster cluster = new StandaloneCluster(dir.resolve("cluster"), 2, 1)) {
			for (String a : readmeLine())
				args.add(a.replace("spark://HOST:7077", cluster.url).replace("/shared/plate-x4", out.toString())
					.replace("/shared/plate", in.toString()).replace("/shared/models/demo", SparkApp.DEMO.toAbsolutePath().toString()));
			assertTrue(args.contains(cluster.url) && args.contains(in.toString()) && args.contains(out.toString()), "the README "
				+ "line names the master, input and output the test replaces: " + args);
			args.addAll(List.of("--steps", "2"));

			// spark-class: the launcher prints the driver's command, NUL-separated
			List<String> launcher = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
				"-Xmx128m", "-cp", cluster.home.resolve("jars") + "/*", "org.apache.spark.launcher.Main",
				"org.apache.spark.deploy.SparkSubmit"));
			launcher.addAll(args);
			ProcessBuilder pb = new ProcessBuilder(launcher).directory(SparkApp.BASE.toFile());
			pb.environment().put("SPARK_HOME", cluster.home.toString());
			pb.environment().put("SPARK_SCALA_VERSION", "2.12");
			pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
			pb.redirectError(ProcessBuilder.Redirect.INHERIT);
			Process p = pb.start();
			ByteArrayOutputStream bytes = new ByteArrayOutputStream();
			p.getInputStream().transferTo(bytes);
			assertEquals(0, p.waitFor(), "the launcher builds the command");
			// as spark-class reads it: lines of messages up to a line holding a NUL, then the command's arguments,
			// each ended by a NUL
			String printed = bytes.toString(StandardCharsets.UTF_8);
			assertTrue(printed.contains("\0\n"), "the launcher's output: " + printed);
			String args0 = printed.substring(printed.indexOf("\0\n") + 2);
			List<String> command = new ArrayList<>(Arrays.asList(args0.split("\0")));
			assertTrue(command.contains("org.apache.spark.deploy.SparkSubmit"), "the driver runs SparkSubmit: " + command);
			String cp = command.get(command.indexOf("-cp") + 1);
			assertTrue(!cp.contains("ldm-spark"), "Spark's jars only; the application jar comes from the line: " + cp);

			pb = new ProcessBuilder(command).directory(SparkApp.BASE.toFile()).redirectErrorStream(true);
			pb.environment().put("SPARK_HOME", cluster.home.toString());
			pb.environment().put("SPARK_SCALA_VERSION", "2.12");
			p = pb.start();
			String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			assertTrue(p.waitFor(8, TimeUnit.MINUTES), log);
			assertEquals(0, p.exitValue(), log);
			assertTrue(log.contains("2 unit(s) computed, 0 skipped"), log);
		}
		for (String name : List.of("a.tif", "b.tif")) {
			Path single = dir.resolve("cli-" + name);
			SparkApp.Run r = SparkApp.cli("superres", "--input", in.resolve(name).toString(), "--output", single.toString(),
				"--model", SparkApp.DEMO.toString(), "--steps", "2");
			assertEquals(0, r.code, r.out);
			Images.assertSamePixels(single, out.resolve(name));
		}
	}
}
