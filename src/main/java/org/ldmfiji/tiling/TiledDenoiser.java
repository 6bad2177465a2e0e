package org.ldmfiji.tiling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

import org.ldmfiji.diffusion.Conditioning;
import org.ldmfiji.diffusion.Denoiser;
import org.ldmfiji.diffusion.ModelDenoiser;
import org.ldmfiji.diffusion.Prediction;
import org.ldmfiji.model.Manifest;
import org.ldmfiji.model.ModelBundle;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;

/**
 * A denoiser over a latent of any size, run convolutionally: at every call the latent is cut into overlapping tiles
 * of the model's size ({@link TileGrid}), the tiles go through the model in batches, and their ε̂ are fused with the
 * grid's normalised window weights, ε̂(x) = Σ_k w_k·ε̂_k(x_k) with Σ_k w_k = 1 (CompVis's tiler; Mixture of Diffusers,
 * Jiménez 2023). A sampler then takes one step on the whole latent, so every sampler (multistep DPM-Solver++ too)
 * works unchanged.
 * <p>
 * A shifting grid ({@code shiftUnit} &gt; 0; SpotDiffusion, Frolov et al. 2024): before the latent is cut, it is
 * shifted circularly by an offset (oₓ, o_y) that a hash of the timestep t picks among the multiples of the unit, the
 * tiles' fused output is shifted back, ε̂(x) = S₋ₒ(Σ_k w_k·ε̂_k(S_o(x)_k)). The borders of one step then lie inside
 * the tiles of the next, so tiles need little or no overlap; the result is still one ε̂ over the whole latent per
 * call, and the same seed gives the same result (the offsets depend on t only). The tile that wraps around joins the
 * image's opposite edges, as SpotDiffusion's circular shift does. An axis with one tile is not shifted. A torus grid
 * ({@link TileGrid#torus}) has no edge tiles at all: its last tiles reach past the end and read the start (the latent
 * is extended circularly before it is cut, and what the tiles add past the end is folded back onto the start).
 * <p>
 * Conditioning: every concatenated input of the full-latent {@link Conditioning} ([1 or N x C_i x h x w]) is sliced
 * with the same rectangle as the tile; the cross-attention context and guidance are shared by all tiles.
 * <p>
 * Memory: the latent, the accumulator and one batch of tiles (with the model's activations for it); each batch's
 * arrays die with the batch. Results do not depend on the batch size: tiles accumulate one by one in grid order.
 */
public final class TiledDenoiser implements Denoiser {

	/** Binds the model to the conditioning of one batch of tiles (the full inputs sliced to those tiles). */
	@FunctionalInterface
	public interface TileModel {
		Denoiser bind(Conditioning tiles);
	}

	private final TileGrid grid;
	private final int batch;
	private final Conditioning full;
	private final TileModel model;
	private final int shiftUnit;

	/**
	 * @param grid tiles over the latent's (w, h)
	 * @param batch how many tiles go through the model at once (≥ 1; does not change the result)
	 * @param full the conditioning of the whole latent (its inputs must have the latent's h and w)
	 * @param model the per-tile denoiser
	 */
	public TiledDenoiser(TileGrid grid, int batch, Conditioning full, TileModel model) {
		this(grid, batch, full, model, 0);
	}

	/**
	 * As above, with the grid shifting from step to step by multiples of {@code shiftUnit} latent pixels (0: a fixed
	 * grid; else the denoiser's latent_multiple, which the grid's lengths are multiples of).
	 */
	public TiledDenoiser(TileGrid grid, int batch, Conditioning full, TileModel model, int shiftUnit) {
		if (shiftUnit < 0 || shiftUnit > 0 && (grid.width() % shiftUnit != 0 || grid.height() % shiftUnit != 0))
			throw new IllegalArgumentException("shift unit " + shiftUnit + " must be 0 or divide the latent's sides " + grid.width()
				+ "x" + grid.height());
		this.shiftUnit = shiftUnit;
		if (batch < 1) throw new IllegalArgumentException("tile batch size must be >= 1, got " + batch);
		this.grid = grid;
		this.batch = batch;
		this.full = full;
		this.model = model;
		for (Map.Entry<String, NDArray> e : full.inputs().entrySet()) {
			Shape s = e.getValue().getShape();
			if (s.dimension() != 4 || s.get(2) != grid.height() || s.get(3) != grid.width())
				throw new IllegalArgumentException("conditioning input '" + e.getKey() + "' has shape " + s
					+ " but the tiled latent is " + grid.width() + "x" + grid.height() + " (w x h)");
		}
	}

	/** The bundle's denoiser for {@code task}, tiled over {@code grid} (fixed). */
	public static TiledDenoiser of(ModelBundle bundle, String task, Conditioning full, TileGrid grid, int batch) {
		return of(bundle, task, full, grid, batch, 0);
	}

	/** The bundle's denoiser for {@code task}, tiled over {@code grid}, the grid shifting by {@code shiftUnit} (0: fixed). */
	public static TiledDenoiser of(ModelBundle bundle, String task, Conditioning full, TileGrid grid, int batch,
		int shiftUnit)
	{
		Manifest.DenoiserSpec spec = bundle.manifest().denoiser(task);
		var part = bundle.denoiser(task);
		return new TiledDenoiser(grid, batch, full, c -> new ModelDenoiser(part, spec, bundle.manifest().schedule, c),
			shiftUnit);
	}

	/**
	 * The circular shift of the grid at timestep t, {oₓ, o_y}: latent position o of an axis is where that step's tile
	 * grid starts (position 0 of {@link #grid}). {0, 0} for a fixed grid and on axes with one tile.
	 */
	public int[] offsets(int t) {
		return new int[] {offset(grid.x, t, 0), offset(grid.y, t, 1)};
	}

	/**
	 * The borders of the grid used at timestep t along x (or y), in latent positions of the unshifted latent (a border
	 * at p lies between p − 1 and p): the grid's own {@link TileGrid.Axis#borders} moved by the offset, and the line
	 * where the wrapping tile joins the two ends.
	 */
	public List<Integer> borders(int t, boolean alongX) {
		TileGrid.Axis a = alongX ? grid.x : grid.y;
		int o = offsets(t)[alongX ? 0 : 1], n = a.length;
		java.util.TreeSet<Integer> out = new java.util.TreeSet<>();
		for (int b : a.borders()) out.add((b + o) % n);
		out.add(o);
		out.remove(0);
		return new java.util.ArrayList<>(out);
	}

	private int offset(TileGrid.Axis a, int t, int salt) {
		if (shiftUnit == 0 || a.count() < 2) return 0;
		return (int) Long.remainderUnsigned(mix(2L * t + salt), a.length / shiftUnit) * shiftUnit;
	}

	/** SplitMix64's finaliser (Steele et al. 2014): well-spread offsets from consecutive timesteps. */
	private static long mix(long z) {
		z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
		z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
		return z ^ (z >>> 31);
	}

	/** The latent shifted circularly so that position (oₓ, o_y) comes to (0, 0): r[p] = a[(p + o) mod n]. */
	private static NDArray shifted(NDArray a, int ox, int oy) {
		NDArray r = a;
		if (ox != 0) r = r.get(":, :, :, {}:", ox).concat(r.get(":, :, :, :{}", ox), 3);
		if (oy != 0) r = r.get(":, :, {}:", oy).concat(r.get(":, :, :{}", oy), 2);
		return r;
	}

	/**
	 * A torus grid's input ({@link TileGrid#torus}): the latent with its first px columns and py rows appended after its
	 * last, r[p] = a[p mod n], so that the tiles reaching past the end read the start.
	 */
	private static NDArray wrapped(NDArray a, int px, int py) {
		NDArray r = a;
		if (px > 0) r = r.concat(r.get(":, :, :, :{}", px), 3);
		if (py > 0) r = r.concat(r.get(":, :, :{}", py), 2);
		return r;
	}

	/** The inverse of {@link #wrapped} for sums: what landed past the end (w, h) is added to the start. */
	private static NDArray folded(NDArray acc, int w, int h, int px, int py) {
		NDArray r = acc;
		if (py > 0) r = r.get(":, :, :{}", py).add(r.get(":, :, {}:", h)).concat(r.get(":, :, {}:{}", py, h), 2);
		if (px > 0) r = r.get(":, :, :, :{}", px).add(r.get(":, :, :, {}:", w)).concat(r.get(":, :, :, {}:{}", px, w), 3);
		return r;
	}

	public int shiftUnit() {
		return shiftUnit;
	}

	public TileGrid grid() {
		return grid;
	}

	public int batch() {
		return batch;
	}

	@Override
	public NDArray eps(NDArray x, int t) {
		return fused(x, t, true).out;
	}

	/**
	 * The tiles' raw outputs fused; their ε̂ = p·x + q·out maps (the same for every tile: they depend on t only) carry
	 * over, since the weights sum to 1 at every latent pixel: Σ w_k·(p·x + q·out_k) = p·x + q·Σ w_k·out_k.
	 */
	@Override
	public Prediction predict(NDArray x, int t) {
		return fused(x, t, false);
	}

	private Prediction fused(NDArray x, int t, boolean toEps) {
		Shape s = x.getShape();
		if (s.dimension() != 4 || s.get(2) != grid.height() || s.get(3) != grid.width())
			throw new IllegalArgumentException("latent " + s + " does not match the tile grid " + grid);
		long n = s.get(0);
		NDManager owner = x.getManager();
		int[] o = offsets(t);
		boolean moved = o[0] != 0 || o[1] != 0;
		int px = grid.x.pastEnd(), py = grid.y.pastEnd();
		boolean wraps = px > 0 || py > 0;
		try (NDManager call = owner.newSubManager()) {
			// lend every operand to this call once (an array lent twice would not find its way home)
			Set<NDArray> lent = Collections.newSetFromMap(new IdentityHashMap<>());
			lent.add(x);
			if (moved || wraps) lent.addAll(full.inputs().values());
			lent.forEach(a -> a.tempAttach(call));
			NDArray xs = wrapped(moved ? shifted(x, o[0], o[1]) : x, px, py);
			Map<String, NDArray> inputs = full.inputs();
			if (moved || wraps) {
				inputs = new java.util.LinkedHashMap<>();
				for (Map.Entry<String, NDArray> e : full.inputs().entrySet())
					inputs.put(e.getKey(), wrapped(moved ? shifted(e.getValue(), o[0], o[1]) : e.getValue(), px, py));
			}
			NDArray acc = call.zeros(new Shape(s.get(0), s.get(1), s.get(2) + py, s.get(3) + px), x.getDataType());
			List<TileGrid.Tile> tiles = grid.tiles();
			Prediction map = null;
			for (int from = 0; from < tiles.size(); from += batch) {
				List<TileGrid.Tile> part = tiles.subList(from, Math.min(tiles.size(), from + batch));
				try (NDManager scope = call.newSubManager()) {
					Prediction p = accumulate(part, xs, inputs, acc, n, t, scope);
					if (map != null && (p.p != map.p || p.q != map.q)) throw new IllegalStateException("tiles of one step "
						+ "predict with different maps to ε (p " + p.p + " vs " + map.p + ", q " + p.q + " vs " + map.q + ")");
					map = p;
				}
			}
			if (wraps) acc = folded(acc, grid.width(), grid.height(), px, py);
			if (moved) acc = shifted(acc, (grid.width() - o[0]) % grid.width(), (grid.height() - o[1]) % grid.height());
			Prediction fused = new Prediction(acc, map.p, map.q);
			if (toEps) fused = new Prediction(fused.eps(x), 0, 1);
			fused.out.attach(owner);
			return fused;
		}
	}

	/**
	 * Runs one batch of tiles and adds w_k·out_k into {@code acc}; every intermediate lives in {@code scope}.
	 *
	 * @return the batch's map from out to ε̂ (its {@link Prediction#out} is not to be used)
	 */
	private Prediction accumulate(List<TileGrid.Tile> part, NDArray x, Map<String, NDArray> inputs, NDArray acc, long n,
		int t, NDManager scope)
	{
		// lend every operand to the scope once (an array lent twice would not find its way home)
		Set<NDArray> lent = Collections.newSetFromMap(new IdentityHashMap<>());
		lent.add(x);
		lent.add(acc);
		lent.addAll(inputs.values());
		if (full.context() != null) lent.add(full.context());
		if (full.nullContext() != null) lent.add(full.nullContext());
		lent.forEach(a -> a.tempAttach(scope));

		int b = part.size();
		NDList xs = new NDList(b);
		for (TileGrid.Tile tile : part) xs.add(x.get(index(tile)));
		NDArray xb = b == 1 ? xs.head() : NDArrays.concat(xs, 0); // [b·N x C x th x tw], tile-major

		Conditioning c = new Conditioning();
		for (Map.Entry<String, NDArray> e : inputs.entrySet()) {
			NDArray a = e.getValue();
			NDList slices = new NDList(b);
			for (TileGrid.Tile tile : part) {
				NDArray slice = a.get(index(tile));
				slices.add(a.getShape().get(0) == n ? slice : slice.repeat(0, n)); // [1 x …] follows every latent item
			}
			c.input(e.getKey(), b == 1 ? slices.head() : NDArrays.concat(slices, 0));
		}
		if (full.context() != null) c.context(perTiles(full.context(), b, n), perTiles(full.nullContext(), b, n),
			full.guidance());

		Prediction prediction = model.bind(c).predict(xb, t);
		NDArray eps = prediction.out;
		for (int k = 0; k < b; k++) {
			TileGrid.Tile tile = part.get(k);
			float[] weights = grid.weights(tile);
			NDArray epsK = b == 1 ? eps : eps.get(new NDIndex("{}:{}", k * n, (k + 1) * n));
			NDIndex where = index(tile);
			if (alone(weights)) {
				// no other tile reaches these positions (a grid without overlap): the tile's output is the fused one
				acc.set(where, epsK);
				continue;
			}
			NDArray w = scope.create(weights, new Shape(1, 1, tile.height, tile.width))
				.toDevice(x.getDevice(), false).toType(x.getDataType(), false);
			acc.set(where, acc.get(where).add(epsK.mul(w)));
		}
		return prediction;
	}

	/** Whether a tile's normalised weights are all 1: it alone covers its positions. */
	private static boolean alone(float[] weights) {
		for (float w : weights) if (w != 1f) return false;
		return true;
	}

	/** A context for b tiles of N items: a batch-1 context stays (the model repeats it); a batch-N one repeats per tile. */
	private static NDArray perTiles(NDArray context, int b, long n) {
		if (context == null || context.getShape().get(0) == 1 || b == 1) return context;
		if (context.getShape().get(0) != n) throw new IllegalArgumentException("context batch " + context.getShape().get(0)
			+ " does not match the latent batch " + n);
		long[] reps = new long[context.getShape().dimension()];
		java.util.Arrays.fill(reps, 1);
		reps[0] = b;
		return context.tile(reps);
	}

	private static NDIndex index(TileGrid.Tile tile) {
		return new NDIndex(":, :, {}:{}, {}:{}", tile.y, tile.y + tile.height, tile.x, tile.x + tile.width);
	}
}
