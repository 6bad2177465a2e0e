package org.ldmfiji.tiling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.model.ModelBundle;

import java.util.ArrayList;
import java.util.List;

/**
 * The first stage run in overlapping tiles, so that no activation of the autoencoder ever has the whole image's
 * size: decoding cuts the latent into tiles, decodes them in batches and blends the decoded tiles in pixel space with
 * normalised window weights ({@link TileGrid}, the grid scaled by f); encoding cuts the image into tiles at
 * multiples of f (so the encoder's strided convolutions keep the whole-image phase) and blends the encoded tiles in
 * latent space. Blending accumulates straight into the result on the Java heap (the output buffer), cropped on the
 * fly; memory beyond it is one batch of tiles.
 * <p>
 * Tiles are not exactly a whole-image pass: GroupNorm statistics and receptive fields stop at a tile's edge. The
 * overlap (with the weights falling to ≈ 0 at tile edges) keeps those edge effects out of the result;
 * TiledAutoencoderTest measures how close a tiled decode comes to the untiled one.
 */
public final class TiledAutoencoder {

	/** One autoencoder part applied to a batch of tiles; the result must be attached to the input's manager. */
	@FunctionalInterface
	public interface Part {
		NDArray apply(NDArray batch);
	}

	private final int factor, latentChannels, imageChannels;
	private final Part encoder, decoder;
	private final int tile, overlap, margin, batch;
	private final Blend blend;
	private final boolean fit;

	/**
	 * @param factor f, the downsampling factor
	 * @param tile the tile side in latent pixels (the image tile is f times larger)
	 * @param overlap the overlap of neighbouring tiles in latent pixels (&lt; tile)
	 * @param margin latent pixels next to a shared tile edge that get only a token weight (≤ overlap / 2), see
	 *        {@link TileGrid#of(int, int, int, int, int, Blend, int)}
	 * @param batch tiles per forward pass (≥ 1; does not change the result)
	 */
	public TiledAutoencoder(int factor, int latentChannels, int imageChannels, Part encoder, Part decoder, int tile,
		int overlap, int margin, int batch, Blend blend)
	{
		this(factor, latentChannels, imageChannels, encoder, decoder, tile, overlap, margin, batch, blend, false);
	}

	/** As above; with {@code fit}, {@code tile} is a maximum and the tiles are fitted to the latent ({@link TileGrid#fitted}). */
	public TiledAutoencoder(int factor, int latentChannels, int imageChannels, Part encoder, Part decoder, int tile,
		int overlap, int margin, int batch, Blend blend, boolean fit)
	{
		if (margin < 0 || 2 * margin > overlap) throw new IllegalArgumentException("autoencoder tile margin " + margin
			+ " must be between 0 and half the overlap " + overlap);
		if (batch < 1) throw new IllegalArgumentException("tile batch size must be >= 1, got " + batch);
		if (overlap < 0 || overlap >= tile) throw new IllegalArgumentException("autoencoder tile overlap " + overlap
			+ " latent px must be at least 0 and smaller than the tile (" + tile + " latent px)");
		this.factor = factor;
		this.latentChannels = latentChannels;
		this.imageChannels = imageChannels;
		this.encoder = encoder;
		this.decoder = decoder;
		this.tile = tile;
		this.overlap = overlap;
		this.margin = margin;
		this.batch = batch;
		this.blend = blend;
		this.fit = fit;
	}

	/** The bundle's encoder and decoder (with its scale factor), tiled as {@code settings} say. */
	public static TiledAutoencoder of(ModelBundle bundle, TileSettings settings) {
		var ae = bundle.manifest().autoencoder;
		return new TiledAutoencoder(ae.factor, ae.latentChannels, bundle.manifest().imageChannels, bundle::encode,
			bundle::decode, settings.autoencoderTile / ae.factor, settings.autoencoderOverlap / ae.factor,
			settings.autoencoderOverlap / ae.factor / 4, settings.autoencoderBatch, settings.blend, settings.autoencoderFit);
	}

	/** D(z) for a single latent [1 x c x h x w]: the image C × fh × fw. */
	public FloatPlanes decode(NDArray z) {
		Shape s = z.getShape();
		return decode(z, (int) s.get(3) * factor, (int) s.get(2) * factor).get(0);
	}

	/**
	 * D(z) for each item of a latent [N x c x h x w], cropped to its top-left {@code width} × {@code height}
	 * (≤ fw × fh): tiles outside the crop are not decoded.
	 */
	public List<FloatPlanes> decode(NDArray z, int width, int height) {
		int n = (int) z.getShape().get(0);
		List<FloatPlanes> out = new ArrayList<>(n);
		for (int item = 0; item < n; item++) out.add(decodeRegion(z, item, 0, 0, width, height));
		return out;
	}

	/**
	 * The part [x0, x0 + width) × [y0, y0 + height) of D(z) for item {@code item} of a latent [N x c x h x w]: only the
	 * tiles that reach the part are decoded, with the weights of the whole decode, so the part's values equal those of
	 * {@link #decode(NDArray, int, int)} there and an image of any size can be decoded block by block.
	 */
	public FloatPlanes decodeRegion(NDArray z, int item, int x0, int y0, int width, int height) {
		Shape s = z.getShape();
		if (s.dimension() != 4 || s.get(1) != latentChannels) throw new IllegalArgumentException("expected a latent [N x "
			+ latentChannels + " x h x w], got " + s);
		int h = (int) s.get(2), w = (int) s.get(3);
		if (x0 < 0 || y0 < 0 || x0 + (long) width > (long) w * factor || y0 + (long) height > (long) h * factor)
			throw new IllegalArgumentException("region " + width + "x" + height + " at (" + x0 + ", " + y0 + ") lies outside "
				+ "the " + (w * factor) + "x" + (h * factor) + " image of a " + w + "x" + h + " latent");
		TileGrid grid = grid(w, h);
		TileGrid pixels = grid.scaled(factor);
		List<TileGrid.Tile> tiles = new ArrayList<>();
		for (TileGrid.Tile t : pixels.tiles())
			if (t.x < x0 + width && t.x + t.width > x0 && t.y < y0 + height && t.y + t.height > y0)
				tiles.add(grid.tiles().get(t.index));
		FloatPlanes image = FloatPlanes.zeros(imageChannels, height, width);
		for (int from = 0; from < tiles.size(); from += batch) {
			List<TileGrid.Tile> part = tiles.subList(from, Math.min(tiles.size(), from + batch));
			try (NDManager scope = z.getManager().newSubManager()) {
				z.tempAttach(scope);
				NDList zs = new NDList(part.size());
				for (TileGrid.Tile t : part)
					zs.add(z.get(new NDIndex("{}:{}, :, {}:{}, {}:{}", item, item + 1, t.y, t.y + t.height, t.x, t.x + t.width)));
				NDArray decoded = decoder.apply(zs.size() == 1 ? zs.head() : NDArrays.concat(zs, 0));
				List<FloatPlanes> tileImages = FloatPlanes.listOf(decoded);
				for (int k = 0; k < part.size(); k++)
					add(image, x0, y0, tileImages.get(k), pixels, pixels.tiles().get(part.get(k).index));
			}
		}
		return image;
	}

	/**
	 * E(x) of an image C × H × W (sides multiples of f) in the model's range: the latent [1 x c x H/f x W/f] on
	 * {@code manager}'s device.
	 */
	public NDArray encode(FloatPlanes image, NDManager manager) {
		if (image.channels() != imageChannels) throw new IllegalArgumentException("image has " + image.channels()
			+ " channels, the autoencoder takes " + imageChannels);
		if (image.width() % factor != 0 || image.height() % factor != 0) throw new IllegalArgumentException("image "
			+ image.width() + "x" + image.height() + " must have sides that are multiples of " + factor
			+ " (the autoencoder's downsampling factor): pad it first (tiling.Window.covering)");
		int w = image.width() / factor, h = image.height() / factor;
		TileGrid grid = grid(w, h);
		FloatPlanes latent = FloatPlanes.zeros(latentChannels, h, w);
		List<TileGrid.Tile> tiles = grid.tiles();
		for (int from = 0; from < tiles.size(); from += batch) {
			List<TileGrid.Tile> part = tiles.subList(from, Math.min(tiles.size(), from + batch));
			List<FloatPlanes> crops = new ArrayList<>(part.size());
			for (TileGrid.Tile t : part)
				crops.add(new Window(t.x * factor, t.y * factor, t.width * factor, t.height * factor).extract(image));
			try (NDManager scope = manager.newSubManager()) {
				NDArray encoded = encoder.apply(FloatPlanes.toNDArray(scope, crops));
				List<FloatPlanes> tileLatents = FloatPlanes.listOf(encoded);
				for (int k = 0; k < part.size(); k++) add(latent, tileLatents.get(k), grid, part.get(k));
			}
		}
		return latent.toNDArray(manager);
	}

	/** The latent tile grid over w × h (overlap and margin reduced where one tile covers the whole latent). */
	public TileGrid grid(int w, int h) {
		int t = Math.min(tile, Math.max(w, h));
		int o = Math.min(overlap, t - 1);
		return fit ? TileGrid.fitted(w, h, t, o, 1, blend, Math.min(margin, o / 2))
			: TileGrid.of(w, h, t, o, 1, blend, Math.min(margin, o / 2));
	}

	/** target += w ⊗ tile, over the part of the tile that lies inside target (the crop). */
	private static void add(FloatPlanes target, FloatPlanes values, TileGrid grid, TileGrid.Tile t) {
		add(target, 0, 0, values, grid, t);
	}

	/** The same for a target that is the part of the image starting at (ox, oy). */
	private static void add(FloatPlanes target, int ox, int oy, FloatPlanes values, TileGrid grid, TileGrid.Tile t) {
		float[] wx = grid.x.weights(t.col), wy = grid.y.weights(t.row);
		int j0 = Math.max(0, oy - t.y), i0 = Math.max(0, ox - t.x);
		int maxJ = Math.min(t.height, target.height() + oy - t.y), maxI = Math.min(t.width, target.width() + ox - t.x);
		float[] dst = target.data(), src = values.data();
		for (int c = 0; c < target.channels(); c++)
			for (int j = j0; j < maxJ; j++) {
				int d = (c * target.height() + t.y + j - oy) * target.width() + t.x - ox;
				int s = (c * t.height + j) * t.width;
				float wj = wy[j];
				for (int i = i0; i < maxI; i++) dst[d + i] += wj * wx[i] * src[s + i];
			}
	}
}
