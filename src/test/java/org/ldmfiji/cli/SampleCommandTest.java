package org.ldmfiji.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.IJ;
import ij.ImagePlus;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** {@code ./ldm sample} through the CLI's entry point. */
class SampleCommandTest {

	@Test
	void writesAnImageOfTheRequestedSizeAndDepthWithProvenance(@TempDir Path dir) {
		String models = System.getProperty("ldm.models", "models");
		Path out = dir.resolve("sample.tif");
		ByteArrayOutputStream stdout = new ByteArrayOutputStream(), stderr = new ByteArrayOutputStream();
		int code = Main.run(new String[] {"sample", "--model", models + "/demo", "--width", "100", "--height", "60",
			"--output", out.toString(), "--steps", "2", "--sampler", "dpmpp2m", "--seed", "3", "--label", "histology",
			"--guidance", "2", "--tile", "64", "--overlap", "16", "--bits", "32"},
			new PrintStream(stdout, true, StandardCharsets.UTF_8), new PrintStream(stderr, true, StandardCharsets.UTF_8));
		assertEquals(0, code, "exit code; stderr: " + stderr.toString(StandardCharsets.UTF_8));
		ImagePlus imp = IJ.openImage(out.toString());
		assertEquals(100, imp.getWidth(), "width");
		assertEquals(60, imp.getHeight(), "height");
		assertEquals(32, imp.getBitDepth(), "bit depth");
		String info = imp.getInfoProperty();
		assertTrue(info != null && info.contains("seed: 3") && info.contains("label: histology") && info.contains("SHA-256")
			&& info.contains("tile=64 overlap=16"), "expected the provenance in the Info property, got: " + info);

		int bad = Main.run(new String[] {"sample", "--width", "100", "--output", out.toString()},
			new PrintStream(new ByteArrayOutputStream()), new PrintStream(stderr, true, StandardCharsets.UTF_8));
		assertEquals(2, bad, "a missing --height is a usage error");
	}
}
