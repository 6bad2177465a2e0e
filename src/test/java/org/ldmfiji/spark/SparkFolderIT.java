package org.ldmfiji.spark;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Spark application over a folder of images (issue #21): a local[2] run gives, image for image, the pixels that
 * {@code ./ldm superres} gives with the same seed; a second run skips every finished unit; a real standalone cluster
 * (a master and two one-core workers on 127.0.0.1) gives the same result even when one executor is killed mid-run.
 */
class SparkFolderIT {

	@TempDir
	static Path dir;
	static Path in, local;
	static final String STEPS = "2";
	/** An 8-bit plane and a 16-bit stack of 5: 6 units of work. */
	static final String[] NAMES = {"plane8.tif", "stack16.tif"};

	@BeforeAll
	static void localRun() throws Exception {
		in = Files.createDirectories(dir.resolve("in"));
		Images.save(in.resolve(NAMES[0]), 32, 28, 8, 1);
		Images.save(in.resolve(NAMES[1]), 24, 20, 16, 5);
		local = dir.resolve("local");
		SparkApp.Run r = SparkApp.run("superres", "--input", in.toString(), "--output", local.toString(), "--model",
			SparkApp.DEMO.toString(), "--steps", STEPS, "--master", "local[2]");
		assertEquals(0, r.code, r.out);
		assertTrue(r.out.contains("6 unit(s) computed, 0 skipped"), r.out);
		assertTrue(r.out.contains("model opened 1 time(s)"), "one executor JVM opens the bundle once, not per task: " + r.out);
		assertTrue(r.out.contains("ldm-spark: super-resolution 6/6 units done"), "progress on stderr: " + r.out);
	}

	@Test
	void localRunEqualsTheSingleMachineCli() throws Exception {
		for (String name : NAMES) {
			Path single = dir.resolve("cli-" + name);
			SparkApp.Run r = SparkApp.cli("superres", "--input", in.resolve(name).toString(), "--output", single.toString(),
				"--model", SparkApp.DEMO.toString(), "--steps", STEPS);
			assertEquals(0, r.code, r.out);
			Images.assertSamePixels(single, local.resolve(name));
		}
	}

	@Test
	void secondRunSkipsFinishedUnits() throws Exception {
		List<String> before = hashes(local);
		SparkApp.Run r = SparkApp.run("superres", "--input", in.toString(), "--output", local.toString(), "--model",
			SparkApp.DEMO.toString(), "--steps", STEPS, "--master", "local[2]");
		assertEquals(0, r.code, r.out);
		assertTrue(r.out.contains("0 unit(s) computed, 6 skipped"), r.out);
		assertTrue(r.out.contains("model opened 0 time(s)"), "nothing to compute, no model opened: " + r.out);
		assertEquals(before, hashes(local), "the finished outputs are left as they were");
	}

	@Test
	void standaloneClusterWithAKilledExecutorGivesTheLocalResult() throws Exception {
		Path out = dir.resolve("cluster");
		AtomicBoolean killed = new AtomicBoolean();
		List<String> lines = new ArrayList<>(), executorMalloc = new ArrayList<>();
		try (StandaloneCluster cluster = new StandaloneCluster(dir.resolve("cluster-run"), 2, 1)) {
			SparkApp.Run r = SparkApp.run(List.of("superres", "--input", in.toString(), "--output", out.toString(), "--model",
				SparkApp.DEMO.toString(), "--steps", STEPS, "--master", cluster.url), line -> {
					lines.add(line);
					// after the first finished unit, kill one executor JVM (kill -9): its tasks must be rerun elsewhere
					if (line.contains("super-resolution 1/6 units done") && !killed.get()) {
						Optional<ProcessHandle> e = cluster.anyExecutor();
						e.ifPresent(h -> {
							executorMalloc.addAll(glibcVariables(h));
							killed.set(h.destroyForcibly());
						});
					}
				});
			assertEquals(0, r.code, r.out);
			assertTrue(killed.get(), "an executor was killed mid-run: " + r.out);
			assertTrue(r.out.contains("6 unit(s) computed"), r.out);
			Matcher m = Pattern.compile("model opened (\\d+) time\\(s\\)").matcher(r.out);
			assertTrue(m.find(), r.out);
			// at most once per executor JVM: the two first ones and the one a worker starts after the kill
			assertTrue(Integer.parseInt(m.group(1)) <= 3, r.out);
			// a worker starts its executors with its own environment: glibc's settings for the forwards come with the job
			// (README "Native memory between forwards"), unless this test's environment already has glibc variables
			if (System.getenv().keySet().stream().noneMatch(n -> n.startsWith("MALLOC_") || n.equals("GLIBC_TUNABLES"))
				&& Files.isReadable(Path.of("/proc/self/environ")))
				assertTrue(executorMalloc.containsAll(List.of("MALLOC_ARENA_MAX=1", "MALLOC_MMAP_MAX_=0",
					"MALLOC_TRIM_THRESHOLD_=1073741824")), "the executor's glibc variables: " + executorMalloc);
		}
		for (String name : NAMES) Images.assertSamePixels(local.resolve(name), out.resolve(name));
	}

	/** The MALLOC_* and GLIBC_TUNABLES entries of a process' environment (Linux: /proc/PID/environ), or none. */
	private static List<String> glibcVariables(ProcessHandle h) {
		List<String> out = new ArrayList<>();
		try {
			// any bytes, whatever the locale's charset (an environment need not be valid UTF-8)
			String environ = new String(Files.readAllBytes(Path.of("/proc", Long.toString(h.pid()), "environ")),
				java.nio.charset.StandardCharsets.ISO_8859_1);
			for (String v : environ.split("\0"))
				if (v.startsWith("MALLOC_") || v.startsWith("GLIBC_TUNABLES=")) out.add(v);
		}
		catch (IOException | RuntimeException e) {
			out.add("unreadable: " + e);
		}
		return out;
	}

	private static List<String> hashes(Path folder) throws IOException {
		List<String> out = new ArrayList<>();
		for (String n : NAMES) out.add(n + " " + Hashes.sha256(Files.readAllBytes(folder.resolve(n))) + " "
			+ Files.getLastModifiedTime(folder.resolve(n)));
		return out;
	}

	/** SHA-256 as the application's markers use it (a copy: the application's classes are not on this class path). */
	static final class Hashes {
		static String sha256(byte[] b) throws IOException {
			try {
				byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(b);
				StringBuilder s = new StringBuilder();
				for (byte x : d) s.append(String.format("%02x", x));
				return s.toString();
			}
			catch (java.security.NoSuchAlgorithmException e) {
				throw new IOException(e);
			}
		}
	}
}
