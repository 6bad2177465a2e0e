package org.ldmfiji.spark;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.ldmfiji.task.Seams;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One large image sampled on Spark into Zarr, in cells on a checkerboard (issue #21): the same pixels under another
 * output chunking, partitioning and executor count; no seam at the cells' borders (the large-image tests' seam
 * measure), where the same cells all sampled on their own (--no-gap-fill) do show their borders; a second run skips
 * every finished cell.
 */
class SparkSampleIT {

	@TempDir
	static Path dir;
	/** 192 x 128 in cells of 64: 3 x 2 cells, 3 sampled and 3 inpainted; borders at x = 64, 128 and y = 64. */
	static final int W = 192, H = 128, CELL = 64;
	static final List<Integer> X_BORDERS = List.of(CELL, 2 * CELL), Y_BORDERS = List.of(CELL);
	/** The seam measure's period: f x latent_multiple of the demo model (the decoder's and U-Net's grid). */
	static final int PERIOD = 16;

	static SparkApp.Run sample(Path out, String... more) throws Exception {
		List<String> args = new java.util.ArrayList<>(List.of("sample", "--output", out.toString(), "--model",
			SparkApp.DEMO.toString(), "--width", Integer.toString(W), "--height", Integer.toString(H), "--block",
			Integer.toString(CELL), "--steps", "4", "--seed", "3"));
		args.addAll(List.of(more));
		return SparkApp.run(args, line -> {});
	}

	static Path exported(Path zarr) throws Exception {
		Path tif = dir.resolve(zarr.getFileName() + ".tif");
		SparkApp.Run r = SparkApp.run("zarr-export", "--input", zarr.toString(), "--output", tif.toString());
		assertEquals(0, r.code, r.out);
		return tif;
	}

	@Test
	void cellsAreDeterministicSeamFreeAndIndependentOfThePartitioning() throws Exception {
		Path a = dir.resolve("a.zarr"), b = dir.resolve("b.zarr"), independent = dir.resolve("independent.zarr");
		SparkApp.Run r = sample(a, "--chunk", "32", "--master", "local[2]");
		assertEquals(0, r.code, r.out);
		assertTrue(r.out.contains("6 unit(s) computed, 0 skipped"), r.out);
		assertTrue(r.out.contains("ldm-spark: inpainted cells 3/3 units done"), r.out);
		r = sample(b, "--chunk", "48", "--master", "local[1]", "--partitions", "1");
		assertEquals(0, r.code, r.out);
		Path ta = exported(a), tb = exported(b);
		Images.assertSamePixels(ta, tb);

		r = sample(a, "--chunk", "32", "--master", "local[2]");
		assertEquals(0, r.code, r.out);
		assertTrue(r.out.contains("0 unit(s) computed, 6 skipped"), "a second run skips the finished cells: " + r.out);
		Images.assertSamePixels(ta, exported(a));

		r = sample(independent, "--no-gap-fill", "--master", "local[2]");
		assertEquals(0, r.code, r.out);
		double[] filled = Seams.ratios(Images.floats(ta), X_BORDERS, Y_BORDERS, PERIOD);
		double[] cut = Seams.ratios(Images.floats(exported(independent)), X_BORDERS, Y_BORDERS, PERIOD);
		String figures = String.format(Locale.ROOT, "seam ratios at the cell borders (1 = like the interior): checkerboard "
			+ "%.3f, %.3f; every cell sampled on its own %.3f, %.3f", filled[0], filled[1], cut[0], cut[1]);
		System.out.println(figures);
		assertTrue(cut[0] > 1.5 && cut[1] > 1.5, "independently sampled cells must show their borders: " + figures);
		// the white cells are inpainted fills, so their borders are held to the fills' border goal (issue #18: <= 1.3).
		// With the fills' noise texture seeded per cell, the borders score 0.80 to 1.35 (columns) and 0.99 to 1.28 (rows)
		// over seeds 1, 2, 3, 4, 6 at 4 steps (means 1.07, 1.08): one seed of this small image cannot hold them to 10 %.
		assertTrue(filled[0] <= 1.3 && filled[1] <= 1.3 && filled[0] > 0.7 && filled[1] > 0.7, "the inpainted cells "
			+ "must leave no border: " + figures);
	}
}
