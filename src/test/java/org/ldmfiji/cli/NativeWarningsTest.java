package org.ldmfiji.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ij.ImagePlus;
import ij.io.FileSaver;
import ij.process.ByteProcessor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ldmfiji.task.TestImages;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A normal {@code ./ldm} run's stderr holds no native warning lines, on CPUs where NNPACK cannot start too (issue
 * 16: libtorch 2.7.1 warns once per convolution there). Such a CPU is simulated with a preloaded library whose
 * {@code nnp_initialize} reports {@code nnp_status_unsupported_hardware} (51), as NNPACK does without AVX2/FMA3 or
 * L3 cache information; libtorch exports the symbol, so the preload takes its place.
 */
class NativeWarningsTest {

	private static final String SHIM = "/* NNPACK's answer on a CPU it does not support */\n"
		+ "int nnp_initialize(void) { return 51; /* nnp_status_unsupported_hardware */ }\n";

	@Test
	void anInpaintingOnACpuWithoutNnpackPrintsOnlyThePluginsLines(@TempDir Path dir) throws Exception {
		String cc = LdmProcess.compiler();
		assumeTrue(System.getProperty("os.name").startsWith("Linux") && cc != null, "needs Linux and a C compiler (cc)");
		Files.writeString(dir.resolve("nonnpack.c"), SHIM);
		Path shim = dir.resolve("libnonnpack.so");
		LdmProcess.check(List.of(cc, "-shared", "-fPIC", "-o", shim.toString(), dir.resolve("nonnpack.c").toString()),
			Map.of());
		new FileSaver(TestImages.image("src", 8, 64, 64, 1)).saveAsTiff(dir.resolve("in.tif").toString());
		ByteProcessor mask = new ByteProcessor(64, 64);
		mask.setValue(255);
		mask.fillRect(24, 20, 16, 20);
		new FileSaver(new ImagePlus("mask", mask)).saveAsTiff(dir.resolve("mask.tif").toString());
		String[] args = {"inpaint", "--input", "in.tif", "--mask", "mask.tif", "--output", "out.tif", "--steps", "2"};

		// control: with libtorch's warnings asked for, the simulated CPU floods stderr (one line per convolution)
		Path control = Files.createDirectories(dir.resolve("control"));
		Files.copy(dir.resolve("in.tif"), control.resolve("in.tif"));
		Files.copy(dir.resolve("mask.tif"), control.resolve("mask.tif"));
		ProcessBuilder b = LdmProcess.builder(control, args);
		b.environment().put("LD_PRELOAD", shim.toString());
		b.environment().put("TORCH_CPP_LOG_LEVEL", "WARNING");
		assertEquals(0, b.start().waitFor(), () -> read(control.resolve("stderr.txt")));
		long flood = lines(control).stream().filter(l -> l.contains("Could not initialize NNPACK")).count();
		assertTrue(flood > 10, "the simulated CPU should make libtorch warn per convolution, got " + flood + " lines");

		// a normal run
		b = LdmProcess.builder(dir, args);
		b.environment().put("LD_PRELOAD", shim.toString());
		b.environment().remove("TORCH_CPP_LOG_LEVEL");
		assertEquals(0, b.start().waitFor(), () -> read(dir.resolve("stderr.txt")));
		assertTrue(read(dir.resolve("stdout.txt")).contains("wrote out.tif"), read(dir.resolve("stdout.txt")));
		List<String> err = lines(dir);
		assertTrue(err.stream().noneMatch(l -> l.contains("NNPACK")), "NNPACK lines on stderr:\n" + String.join("\n", err));
		assertTrue(err.isEmpty(), "stderr of a successful run should be empty, got:\n" + String.join("\n", err));
	}

	private static List<String> lines(Path dir) throws Exception {
		return Files.readAllLines(dir.resolve("stderr.txt"), StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank())
			.collect(Collectors.toList());
	}

	private static String read(Path file) {
		try {
			return Files.readString(file, StandardCharsets.UTF_8);
		}
		catch (Exception e) {
			return e.toString();
		}
	}
}
