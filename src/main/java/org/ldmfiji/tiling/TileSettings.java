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
		if (batch < 0) throw new IllegalArgumentException("tile batch must be >= 0 (0: automatic), got " + batch);
		if (autoencoderBatch < 1) throw new IllegalArgumentException("autoencoder batch must be >= 1, got " + autoencoderBatch);
		this.tile = tile;
		this.overlap = overlap;
		this.batch = batch;
		this.autoencoderTile = autoencoderTile;
		this.autoencoderOverlap = autoencoderOverlap;
		this.autoencoderBatch = autoencoderBatch;
		this.blend = blend;
	}

	/**
	 * The defaults for a denoiser: tiles of its native size, half of it as overlap (rounded to f), automatic
	 * batch, 512-pixel autoencoder tiles with 64 pixels of overlap, one at a time.
	 */
	public static TileSettings defaults(Manifest manifest, String task) {
		Manifest.DenoiserSpec spec = manifest.denoiser(task);
		int f = manifest.autoencoder.factor;
		int tile = Window.roundUp(spec.nativeSize, f * spec.latentMultiple);
		return new TileSettings(tile, defaultOverlap(tile, f), 0, AUTOENCODER_TILE, AUTOENCODER_OVERLAP, 1);
	}

	/**
	 * Half the tile, rounded down to the autoencoder's factor f: windows at a stride of half their size, as the
	 * CompVis SR notebook tiles (128-wide windows at stride 64); a quarter left seams visible on the demo model.
	 */
	public static int defaultOverlap(int tile, int f) {
		return Math.max(f, tile / 2 / f * f);
	}

	/** These settings with another denoiser tile and overlap (pixels). */
	public TileSettings withTile(int tile, int overlap) {
		return new TileSettings(tile, overlap, batch, autoencoderTile, autoencoderOverlap, autoencoderBatch, blend);
	}

	/** These settings with another denoiser tile batch (0: automatic). */
	public TileSettings withBatch(int batch) {
		return new TileSettings(tile, overlap, batch, autoencoderTile, autoencoderOverlap, autoencoderBatch, blend);
	}

	/** These settings with another autoencoder tile and overlap (pixels). */
	public TileSettings withAutoencoderTile(int tile, int overlap) {
		return new TileSettings(this.tile, this.overlap, batch, tile, overlap, autoencoderBatch, blend);
	}

	/** These settings with another fusion of tiles ({@link Blend#NONE}: hard cuts, to show what seams look like). */
	public TileSettings withBlend(Blend blend) {
		return new TileSettings(tile, overlap, batch, autoencoderTile, autoencoderOverlap, autoencoderBatch, blend);
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
		return String.format(Locale.ROOT, "tile=%d overlap=%d batch=%s autoencoder tile=%d overlap=%d%s", tile, overlap,
			batch == 0 ? "auto" : Integer.toString(batch), autoencoderTile, autoencoderOverlap,
			blend == Blend.COSINE ? "" : " blend=" + blend);
	}
}
