package org.ldmfiji.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Issue 16: a process killed (SIGKILL, no shutdown hook runs) while it writes its result over an existing file leaves
 * that file either the complete previous image or the complete new one, never a part. {@link WriteLoop} writes two
 * 16 MB images over one file in turn in a separate JVM; it is killed at several moments and the file compared byte for
 * byte with the two complete files.
 */
class KillDuringWriteTest {

	private static final int SIZE = 2048; // 2048² float pixels: 16 MB a write

	@Test
	void aKilledWriteLeavesTheOldOrTheNewFileWhole(@TempDir Path dir) throws Exception {
		Path refs = Files.createDirectories(dir.resolve("reference")), work = Files.createDirectories(dir.resolve("work"));
		ImageFiles.save(WriteLoop.image(SIZE, false), refs.resolve("a.tif"));
		ImageFiles.save(WriteLoop.image(SIZE, true), refs.resolve("b.tif"));
		byte[] a = Files.readAllBytes(refs.resolve("a.tif")), b = Files.readAllBytes(refs.resolve("b.tif"));
		Path target = work.resolve("result.tif");
		Files.write(target, a);
		String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
		int killedMidWrite = 0;
		for (int delayMs : new int[] {0, 5, 20, 50, 90, 140, 200, 300, 450, 700}) {
			Process p = new ProcessBuilder(java, "-Xmx1g", "-Djava.awt.headless=true", "-cp", System.getProperty(
				"java.class.path"), WriteLoop.class.getName(), target.toString(), String.valueOf(SIZE))
					.redirectErrorStream(true).start();
			BufferedReader said = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
			assertEquals("writing", said.readLine(), "the writer started");
			Thread.sleep(delayMs);
			p.destroyForcibly(); // SIGKILL on Linux
			p.waitFor();
			byte[] now = Files.readAllBytes(target);
			assertTrue(Arrays.equals(now, a) || Arrays.equals(now, b), "after a kill " + delayMs + " ms into the writes "
				+ "the file is neither the old nor the new image whole (" + now.length + " bytes; whole: " + a.length + ")");
			List<Path> left;
			try (var s = Files.list(work)) {
				left = s.filter(f -> !f.equals(target)).collect(Collectors.toList());
			}
			if (!left.isEmpty()) killedMidWrite++;
			for (Path part : left) { // a kill -9 may leave the hidden temporary file, nothing else
				assertTrue(part.getFileName().toString().matches("\\.result\\.tif\\.[0-9a-f]+\\.ldm-part"), part.toString());
				Files.delete(part);
			}
		}
		assertTrue(killedMidWrite > 0, "at least one kill landed during a write (a temporary file was left)");
	}
}
