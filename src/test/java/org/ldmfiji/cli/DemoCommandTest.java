package org.ldmfiji.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;
import ij.process.ByteProcessor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ./ldm demo} shows what the commands do: its files equal {@code ./ldm inpaint}, {@code superres} and
 * {@code sample} with their defaults on the same input and seed.
 */
class DemoCommandTest {

	private static final String MODEL = Paths.get(System.getProperty("ldm.models", "models"), "demo").toString();
	private static final String[] RUN = {"--model", MODEL, "--steps", "4", "--seed", "5"};

	@Test
	void demoFilesAreWhatTheCommandsWrite(@TempDir Path dir) {
		ImagePlus photo = IJ.openImage(Paths.get(MODEL).resolve(DemoCommand.PHOTO).toString());
		photo.setRoi(96, 64, 96, 96); // a crop keeps the test short; the demo's own run takes the whole image
		Path source = dir.resolve("photo.tif");
		IJ.saveAsTiff(photo.crop(), source.toString());
		Path demo = dir.resolve("demo");
		ldm("demo", "--input", source.toString(), "--output", demo.toString());

		Path mask = dir.resolve("mask.tif");
		boolean[] m = DemoCommand.demoMask(96, 96);
		ByteProcessor mp = new ByteProcessor(96, 96);
		for (int i = 0; i < m.length; i++) mp.set(i, m[i] ? 255 : 0);
		IJ.saveAsTiff(new ImagePlus("mask", mp), mask.toString());
		Path inpainted = dir.resolve("inpaint.tif");
		ldm("inpaint", "--input", source.toString(), "--mask", mask.toString(), "--output", inpainted.toString());
		assertSamePixels(demo.resolve("inpainted.tif"), inpainted);

		Path high = dir.resolve("superres.tif");
		ldm("superres", "--input", demo.resolve("superres-input.tif").toString(), "--output", high.toString());
		assertSamePixels(demo.resolve("superres-x4.tif"), high);

		Path sample = dir.resolve("sample.tif");
		ldm("sample", "--width", "96", "--height", "96", "--label", "phase", "--type", "8-bit", "--output",
			sample.toString());
		assertSamePixels(demo.resolve("sample-phase.tif"), sample);
		assertTrue(Files.isRegularFile(demo.resolve("demo.png")), "the figure");
	}

	private static void assertSamePixels(Path expected, Path actual) {
		ImagePlus a = IJ.openImage(expected.toString()), b = IJ.openImage(actual.toString());
		assertEquals(a.getWidth(), b.getWidth(), "width of " + actual.getFileName());
		assertEquals(a.getBitDepth(), b.getBitDepth(), "type of " + actual.getFileName());
		assertArrayEquals((float[]) a.getProcessor().convertToFloat().getPixels(),
			(float[]) b.getProcessor().convertToFloat().getPixels(), expected.getFileName() + " differs from " + actual);
	}

	private static String ldm(String command, String... args) {
		List<String> all = new ArrayList<>(List.of(command));
		all.addAll(List.of(RUN));
		all.addAll(List.of(args));
		ByteArrayOutputStream stdout = new ByteArrayOutputStream(), stderr = new ByteArrayOutputStream();
		int code = Main.run(all.toArray(new String[0]), new PrintStream(stdout, true, StandardCharsets.UTF_8),
			new PrintStream(stderr, true, StandardCharsets.UTF_8));
		assertEquals(0, code, command + ": " + stderr.toString(StandardCharsets.UTF_8));
		return stdout.toString(StandardCharsets.UTF_8);
	}
}
