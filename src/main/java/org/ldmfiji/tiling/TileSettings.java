package org.ldmfiji.tiling;

import org.ldmfiji.model.Manifest;

import java.util.Locale;

/**
 * How a large image is cut up, in output pixels: the denoiser's tile and overlap (tile / f latent pixels), the tile
 * batch (0: chosen from free memory), and the autoencoder's tile and overlap. The tile layout (sizes and overlaps)
 * together with the seed fixes the result; the batch sizes do not change it.
 */
public final class TileSettings {

	/** Default autoencoder tile and overlap in pixels (GroupNorm statistics of 512² tiles are close to a whole image's). */
	public static final int AUTOENCODER_TILE = 512, AUTOENCODER_OVERLAP = 64;

	public final int tile, overlap, batch;
	public final int autoencoderTile, autoencoderOverlap, autoencoderBatch;
	/** How tiles are fused: {@link Blend#COSINE} unless a test asks for hard cuts. */
	public final Blend blend;
	/**
	 * Whether {@link #tile} is a maximum and the tiles are fitted to the latent ({@link TileGrid#fitted}: the fewest
	 * tiles of at most that side with the overlap, all of one size) rather than of exactly that side; the same for the
	 * autoencoder's tiles. The defaults fit; a tile chosen by the user is taken as it is.
	 */
	public final boolean fit, autoencoderFit;
	/**
	 * Whether the denoiser's grid shifts from step to step ({@link TiledDenoiser}: the latent is shifted circularly by
	 * an offset derived from the timestep before it is cut into tiles, SpotDiffusion, Frolov et al. 2024), so that tile
	 * borders never stay in one place and need little or no overlap.
	 */
	public final boolean shift;
	/**
	 * Whether the denoiser's tiles lie on a torus ({@link TileGrid#torus}: {@link #tile} is then the largest stride and
	 * every tile is that stride + {@link #overlap}, wrapping at the latent's edges); used with {@link #shift}.
	 */
	public final boolean torus;

	/**
	 * @param tile the denoiser's tile side in pixels; a multiple of f · latent_multiple
	 * @param overlap the least overlap of neighbouring tiles in pixels; a multiple of f, smaller than the tile
	 * @param batch tiles per forward pass, or 0 to choose from free memory
	 */
	public TileSettings(int tile, int overlap, int batch, int autoencoderTile, int autoencoderOverlap, int autoencoderBatch) {
		this(tile, overlap, batch, autoencoderTile, autoencoderOverlap, autoencoderBatch, Blend.COSINE);
	}

	/** As above, with the tile fusion for the denoiser and the autoencoder. */
	public TileSettings(int tile, int overlap, int batch, int autoencoderTile, int autoencoderOverlap, int autoencoderBatch,
		Blend blend)
	{
		this(tile, overlap, batch, autoencoderTile, autoencoderOverlap, autoencoderBatch, blend, false, false, false, false);
	}

	private TileSettings(int tile, int overlap, int batch, int autoencoderTile, int autoencoderOverlap,
		int autoencoderBatch, Blend blend, boolean fit, boolean autoencoderFit, boolean shift)
	{
		this(tile, overlap, batch, autoencoderTile, autoencoderOverlap, autoencoderBatch, blend, fit, autoencoderFit, shift,
			false);
	}

	private TileSettings(int tile, int overlap, int batch, int autoencoderTile, int autoencoderOverlap,
		int autoencoderBatch, Blend blend, boolean fit, boolean autoencoderFit, boolean shift, boolean torus)
	{
		this.torus = torus;
		if (batch < 0) throw new IllegalArgumentException("tile batch must be >= 0 (0: automatic), got " + batch);
		if (autoencoderBatch < 1) throw new IllegalArgumentException("autoencoder batch must be >= 1, got " + autoencoderBatch);
		this.tile = tile;
		this.overlap = overlap;
		this.batch = batch;
		this.autoencoderTile = autoencoderTile;
		this.autoencoderOverlap = autoencoderOverlap;
		this.autoencoderBatch = autoencoderBatch;
		this.blend = blend;
		this.fit = fit;
		this.autoencoderFit = autoencoderFit;
		this.shift = shift;
	}

	/**
	 * The defaults for a denoiser (issue #19, measured in README "Speed"): {@link #fixedGrid}, fitted tiles that
	 * overlap, in a grid that stays in place. The shifting grid ({@link #shifting}) is faster per step but left seams
	 * on the demo model with few steps; the torus ({@link #torus}) keeps every step's borders within 10 % at 64²
	 * strides but misses the efficiency goal at 4096², and at 128² strides its single steps' borders scored up to 1.15
	 * (README "Speed of large images"): both are the {@code grid} option's choices, not the default.
	 */
	public static TileSettings defaults(Manifest manifest, String task) {
		return fixedGrid(manifest, task);
	}

	/** The grid names of the {@code grid} option ({@code task/OptionTable}), the default first. */
	public static final java.util.List<String> GRIDS = java.util.List.of("fixed", "torus", "shifting");

	/**
	 * The settings of a grid by its name in {@link #GRIDS}: {@code fixed} ({@link #fixedGrid}, the default), {@code
	 * torus} ({@link #torus}) or {@code shifting} ({@link #shifting}, no overlap).
	 */
	public static TileSettings grid(Manifest manifest, String task, String grid) {
		switch (grid) {
			case "torus": return torus(manifest, task);
			case "fixed": return fixedGrid(manifest, task);
			case "shifting": return shifting(manifest, task);
			default: throw new IllegalArgumentException("grid must be one of " + GRIDS + ", got '" + grid + "'");
		}
	}

	/**
	 * Fitted tiles in a grid that shifts from step to step (SpotDiffusion, Frolov et al. 2024): no overlap, so per
	 * step the denoiser processes the image's latent pixels once where the tile side divides the latent (512², 2048²,
	 * 4096²: redundancy 1.00), and the borders of one step lie inside the tiles of the next.
	 */
	public static TileSettings shifting(Manifest manifest, String task) {
		Manifest.DenoiserSpec spec = manifest.denoiser(task);
		int f = manifest.autoencoder.factor;
		int nativeTile = Window.roundUp(spec.nativeSize, f * spec.latentMultiple);
		int tile = Math.max(nativeTile, Window.roundUp(SHIFTING_LATENT_TILE * f, f * spec.latentMultiple));
		return fixedGrid(manifest, task).withFittedTile(tile, 0).withShift(true, 0);
	}

	/**
	 * A shifting grid on a torus ({@link TileGrid#torus}): the shifted latent is circular anyway, so it is cut into
	 * n tiles a side of the same size, stride L/n ≤ {@link #TORUS_LATENT_STRIDE} latent px plus
	 * {@link #TORUS_LATENT_OVERLAP} of overlap, with raised-cosine ramps at both ends of every tile and no edge tile;
	 * per step the denoiser processes ((L/n + overlap)/(L/n))² of the latent (1.27 for 64 + 8, 1.13 for 128 + 8), at
	 * every image size whose latent the stride divides; an axis of at most stride + 2·overlap is one tile (no shift, no
	 * wrap; {@link TileGrid#torus}).
	 */
	public static TileSettings torus(Manifest manifest, String task) {
		return torus(manifest, task, TORUS_LATENT_STRIDE, TORUS_LATENT_OVERLAP);
	}

	/** {@link #torus} with another largest stride and overlap, in latent pixels. */
	public static TileSettings torus(Manifest manifest, String task, int latentStride, int latentOverlap) {
		Manifest.DenoiserSpec spec = manifest.denoiser(task);
		int f = manifest.autoencoder.factor;
		int stride = Window.roundUp(latentStride * f, f * spec.latentMultiple);
		return new TileSettings(stride, latentOverlap * f, 0, AUTOENCODER_TILE, AUTOENCODER_OVERLAP, 1,
			Blend.COSINE, true, true, true, true);
	}

	/**
	 * The torus grid's largest stride in latent pixels: the demo model's cheapest forward per pixel on the CPU is a 64²
	 * latent tile (128² costs more per pixel: its self-attention; README "Speed"). At 128² strides (136² tiles) the
	 * borders of single steps scored up to 1.15 to 1.19 with overlaps of 8, 12 and 16 (README "Speed of large images").
	 */
	public static final int TORUS_LATENT_STRIDE = 64;

	/**
	 * The torus grid's overlap in latent pixels (the blending ramp at both ends of a tile). Measured on a 2048² sample
	 * (EveryStepsGridSeamTest, README "Speed"): 4 left the borders of single steps up to 1.20 (4 steps) and 1.11 (8
	 * steps) of the interior's gradient energy; 8 keeps every step's within 1.08 at a redundancy of 1.27.
	 */
	public static final int TORUS_LATENT_OVERLAP = 8;

	/**
	 * The largest side of a shifting grid's tile in latent pixels (or the native size where that is larger). Without
	 * overlap, a tile's size no longer sets the redundancy, only the cost per pixel of its forward: on the CPU the demo
	 * model's self-attention makes a 128² forward dearer per pixel than 32² or 64² ones in batches (README "Speed").
	 */
	public static final int SHIFTING_LATENT_TILE = 32;

	/**
	 * Tiles fitted to the latent, each at most {@link #DEFAULT_LATENT_TILE} latent pixels a side (or the native size
	 * where that is larger), in a grid that stays in place, overlapping by half the native size (the blending ramp of
	 * the former native-size tiles, {@link #defaultOverlap}), automatic batch; autoencoder tiles fitted too, at most
	 * 512 pixels with 64 pixels of overlap, one at a time. Per step the denoiser processes about 1.0 to 1.2 times the
	 * image's latent pixels.
	 */
	public static TileSettings fixedGrid(Manifest manifest, String task) {
		Manifest.DenoiserSpec spec = manifest.denoiser(task);
		int f = manifest.autoencoder.factor;
		int nativeTile = Window.roundUp(spec.nativeSize, f * spec.latentMultiple);
		int tile = Math.max(nativeTile, Window.roundUp(DEFAULT_LATENT_TILE * f, f * spec.latentMultiple));
		return new TileSettings(tile, defaultOverlap(nativeTile, f), 0, AUTOENCODER_TILE, AUTOENCODER_OVERLAP, 1,
			Blend.COSINE, true, true, false);
	}

	/**
	 * The former defaults (before issue #19): tiles of exactly the native size at a stride of half of it, autoencoder
	 * tiles of exactly 512 pixels; kept for comparison in {@code ./ldm bench --scaling --previous}.
	 */
	public static TileSettings nativeTiles(Manifest manifest, String task) {
		Manifest.DenoiserSpec spec = manifest.denoiser(task);
		int f = manifest.autoencoder.factor;
		int tile = Window.roundUp(spec.nativeSize, f * spec.latentMultiple);
		return new TileSettings(tile, defaultOverlap(tile, f), 0, AUTOENCODER_TILE, AUTOENCODER_OVERLAP, 1);
	}

	/**
	 * The largest side of a default denoiser tile in latent pixels: 128 + 8, a stride of 128 plus the default overlap
	 * of 8 latent px, so that a latent of k·128 gets k tiles a side and the redundancy is (136/128)² = 1.13 (tiles of at
	 * most 128 needed one more a side: 1.19-1.20 at 2048² and 4096²). On the CPU a forward over 16² latent pixels costs
	 * several times more per pixel than one over 64² to 136², and in a 4096² step 136² tiles cost less per processed
	 * pixel than the 124² ones that tiles of at most 128 gave (17.0 against 18.4 µs; README "Speed"). Every image size
	 * stays at ≤ 1.3 (TileRedundancyTest).
	 */
	public static final int DEFAULT_LATENT_TILE = 136;

	/**
	 * Half the tile, rounded down to the autoencoder's factor f: windows at a stride of half their size, as the
	 * CompVis SR notebook tiles (128-wide windows at stride 64); a quarter left seams visible on the demo model.
	 */
	public static int defaultOverlap(int tile, int f) {
		return Math.max(f, tile / 2 / f * f);
	}

	/** These settings with another denoiser tile and overlap (pixels), taken as they are: not fitted, not shifting. */
	public TileSettings withTile(int tile, int overlap) {
		return new TileSettings(tile, overlap, batch, autoencoderTile, autoencoderOverlap, autoencoderBatch, blend, false,
			autoencoderFit, false);
	}

	/** These settings with the denoiser's tiles fitted to the latent, at most {@code maxTile} with {@code overlap}. */
	public TileSettings withFittedTile(int maxTile, int overlap) {
		return new TileSettings(maxTile, overlap, batch, autoencoderTile, autoencoderOverlap, autoencoderBatch, blend, true,
			autoencoderFit, shift, torus && shift);
	}

	/** These settings with another denoiser tile batch (0: automatic). */
	public TileSettings withBatch(int batch) {
		return new TileSettings(tile, overlap, batch, autoencoderTile, autoencoderOverlap, autoencoderBatch, blend, fit,
			autoencoderFit, shift, torus);
	}

	/** These settings with another autoencoder tile and overlap (pixels). */
	public TileSettings withAutoencoderTile(int tile, int overlap) {
		return new TileSettings(this.tile, this.overlap, batch, tile, overlap, autoencoderBatch, blend, fit, false, shift,
			torus);
	}

	/** These settings with another fusion of tiles ({@link Blend#NONE}: hard cuts, to show what seams look like). */
	public TileSettings withBlend(Blend blend) {
		return new TileSettings(tile, overlap, batch, autoencoderTile, autoencoderOverlap, autoencoderBatch, blend, fit,
			autoencoderFit, shift, torus);
	}

	/**
	 * These settings with the denoiser's grid shifting from step to step (true) or fixed (false), and {@code overlap}
	 * pixels of least overlap between neighbouring tiles (a multiple of f; 0 for SpotDiffusion's non-overlapping tiles).
	 */
	public TileSettings withShift(boolean shift, int overlap) {
		return new TileSettings(tile, overlap, batch, autoencoderTile, autoencoderOverlap, autoencoderBatch, blend, fit,
			autoencoderFit, shift, torus && shift);
	}

	/** Checks the sizes against the model; the messages say what to choose instead. */
	public void check(Manifest manifest, String task) {
		Manifest.DenoiserSpec spec = manifest.denoiser(task);
		int f = manifest.autoencoder.factor, unit = f * spec.latentMultiple;
		if (tile < unit || tile % unit != 0) throw new IllegalArgumentException("tile size " + tile + " must be a multiple of "
			+ unit + " (the autoencoder's factor " + f + " times the denoiser's latent multiple " + spec.latentMultiple
			+ "), e.g. " + Math.max(unit, Window.roundUp(tile, unit)));
		if (overlap < 0 || overlap % f != 0 || overlap >= tile) throw new IllegalArgumentException("tile overlap " + overlap
			+ " must be a multiple of " + f + " (the autoencoder's factor) between 0 and the tile size " + tile
			+ " (exclusive), e.g. " + defaultOverlap(tile, f));
		if (autoencoderTile < f || autoencoderTile % f != 0) throw new IllegalArgumentException("autoencoder tile "
			+ autoencoderTile + " must be a multiple of " + f + " (the autoencoder's factor)");
		if (autoencoderOverlap < 0 || autoencoderOverlap % f != 0 || autoencoderOverlap >= autoencoderTile)
			throw new IllegalArgumentException("autoencoder overlap " + autoencoderOverlap + " must be a multiple of " + f
				+ " smaller than the autoencoder tile " + autoencoderTile);
	}

	@Override
	public String toString() {
		return String.format(Locale.ROOT, "%s%d overlap=%d batch=%s autoencoder tile=%s%d overlap=%d%s",
			torus ? "torus stride<=" : fit ? "tile=fitted<=" : "tile=", tile, overlap, batch == 0 ? "auto" : Integer.toString(batch), autoencoderFit ? "fitted<="
				: "", autoencoderTile, autoencoderOverlap,
			blend == Blend.COSINE ? "" : " blend=" + blend) + (shift ? " shifting" : "");
	}
}
