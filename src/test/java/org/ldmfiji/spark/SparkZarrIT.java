package org.ldmfiji.spark;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.ldmfiji.image.Quality;
import org.ldmfiji.task.Seams;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One large image as Zarr, super-resolved in blocks with a halo (issue #21): no seam at the block borders (the
 * large-image tests' seam measure, against the same run cut hard without a halo, where the measure does see the
 * borders), and the same pixels under another output chunking, partitioning and executor count.
 */
class SparkZarrIT {

	@TempDir
	static Path dir;
	static Path zarr, dimZarr;
	/** 96 x 64 input, blocks of 32: 3 x 2 blocks; x4 output 384 x 256 with block borders at 128, 256 and 128. */
	static final int W = 96, H = 64, BLOCK = 32, F = 4;
	static final List<Integer> X_BORDERS = List.of(BLOCK * F, 2 * BLOCK * F), Y_BORDERS = List.of(BLOCK * F);

	@BeforeAll
	static void input() throws Exception {
		Path tif = Images.save(dir.resolve("big.tif"), W, H, 8, 1);
		zarr = dir.resolve("big.zarr");
		SparkApp.Run r = SparkApp.run("zarr-import", "--input", tif.toString(), "--output", zarr.toString(), "--chunk", "32");
		assertEquals(0, r.code, r.out);
		Path dim = Images.dimSky(dir.resolve("dim.tif"), W, H);
		dimZarr = dir.resolve("dim.zarr");
		r = SparkApp.run("zarr-import", "--input", dim.toString(), "--output", dimZarr.toString(), "--chunk", "32");
		assertEquals(0, r.code, r.out);
	}

	static Path superres(String name, int halo, int chunk, String master) throws Exception {
		return superres(zarr, name, halo, chunk, master);
	}

	static Path superres(Path input, String name, int halo, int chunk, String master) throws Exception {
		Path out = dir.resolve(name + ".zarr"), tif = dir.resolve(name + ".tif");
		SparkApp.Run r = SparkApp.run("superres", "--input", input.toString(), "--output", out.toString(), "--model",
			SparkApp.DEMO.toString(), "--steps", "2", "--block", Integer.toString(BLOCK), "--halo", Integer.toString(halo),
			"--chunk", Integer.toString(chunk), "--master", master);
		assertEquals(0, r.code, r.out);
		assertTrue(r.out.contains("6 unit(s) computed"), r.out);
		r = SparkApp.run("zarr-export", "--input", out.toString(), "--output", tif.toString());
		assertEquals(0, r.code, r.out);
		return tif;
	}

	@Test
	void blocksWithAHaloLeaveNoSeamAndDoNotDependOnThePartitioning() throws Exception {
		Path a = superres("halo-chunk32", 8, 32, "local[2]");
		Path b = superres("halo-chunk48", 8, 48, "local[1]");
		Images.assertSamePixels(a, b);

		Path hard = superres("no-halo", 0, 32, "local[2]");
		double[] blended = Seams.ratios(Images.floats(a), X_BORDERS, Y_BORDERS, F);
		double[] cut = Seams.ratios(Images.floats(hard), X_BORDERS, Y_BORDERS, F);
		String figures = String.format(Locale.ROOT, "seam ratios (1 = like the interior): halo 8 px %.3f, %.3f; no halo "
			+ "%.3f, %.3f", blended[0], blended[1], cut[0], cut[1]);
		System.out.println(figures);
		assertTrue(cut[0] > 1.1 || cut[1] > 1.1, "without a halo the blocks' borders must show: " + figures);
		assertTrue(blended[0] < 1.1 && blended[1] < 1.1, "with the halo no border may show: " + figures);
	}

	/**
	 * A dim 8-bit sky ({@link Images#dimSky}, 13 levels): its result's level changes are contour lines, and rounded
	 * pixel by pixel those along the 4-px block borders made a grid (ratio 5.16). The chunks are now stored as the
	 * command line stores a result ({@code RoundedStorage}), decided square by square of the block grid with a margin,
	 * so the chunking still does not matter (0.99).
	 */
	@Test
	void aDimImageIsStoredWithoutABlockGridWhateverTheChunking() throws Exception {
		Path a = superres(dimZarr, "dim-chunk32", 8, 32, "local[2]");
		Path b = superres(dimZarr, "dim-chunk48", 8, 48, "local[1]");
		Images.assertSamePixels(a, b);
		double grid = Quality.gridRatio(Images.floats(a), F);
		System.out.printf(Locale.ROOT, "dim ramp: grid ratio %.3f%n", grid);
		assertTrue(grid <= 1.05, String.format(Locale.ROOT, "grid ratio %.3f", grid));
	}

}
