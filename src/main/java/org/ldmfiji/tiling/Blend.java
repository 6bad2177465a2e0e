package org.ldmfiji.tiling;

/**
 * How a tile's contribution falls off towards an edge it shares with a neighbouring tile (edges on the border of
 * the whole grid keep full weight: no other tile covers them). Weights are normalised by their sum over all tiles
 * ({@link TileGrid}), so the fused value is a convex combination of the tiles' values (CompVis's tiler and Mixture
 * of Diffusers, Jiménez 2023, fuse the same way; they use a clipped linear ramp and a Gaussian respectively).
 */
public enum Blend {

	/** Raised cosine over the overlap: w(d) = sin²(π/2 · (d + ½)/r) for d &lt; r, else 1; smooth and &gt; 0 everywhere. */
	COSINE,
	/** CompVis's linear ramp to the border: w(d) = (d + ½)/r for d &lt; r, else 1; &gt; 0 everywhere. */
	LINEAR,
	/**
	 * No blending: every position belongs to exactly one tile, the cut lying in the middle of each overlap.
	 * This is plain tiling with hard cuts, which leaves seams; it exists to show that the seam measure finds them.
	 */
	NONE;

	/**
	 * The unnormalised weight of a tile position at distance {@code d} (0 = the outermost position) from an edge
	 * shared with a neighbour, for a ramp of {@code ramp} positions. Not used for {@link #NONE}.
	 */
	double ramp(int d, int ramp) {
		if (ramp <= 0 || d >= ramp) return 1;
		double u = (d + 0.5) / ramp;
		if (this == LINEAR) return u;
		double s = Math.sin(0.5 * Math.PI * u);
		return s * s;
	}
}
