package org.ldmfiji.image;

/**
 * Percentiles by selection (expected O(n), no full sort), with numpy's default definition
 * ("linear"): rank r = p/100·(n − 1), value = v[⌊r⌋] + (r − ⌊r⌋)·(v[⌊r⌋+1] − v[⌊r⌋]) over the
 * sorted values v.
 */
final class Percentiles {

	private Percentiles() {}

	/**
	 * The {@code pct}-th percentile of {@code a} (no NaN). Reorders {@code a} (it stays a permutation
	 * of its values), so several percentiles can be taken from the same working copy.
	 */
	static double of(float[] a, double pct) {
		int n = a.length;
		if (n == 0) throw new IllegalArgumentException("percentile of no values");
		double rank = pct / 100 * (n - 1);
		int k = (int) Math.floor(rank);
		if (k >= n - 1) return select(a, n - 1);
		double frac = rank - k;
		double vk = select(a, k);
		if (frac == 0) return vk;
		// after select, a[k+1..n) holds the values >= v[k]: the next order statistic is their minimum
		float next = a[k + 1];
		for (int i = k + 2; i < n; i++) if (a[i] < next) next = a[i];
		return vk + frac * (next - vk);
	}

	/** Reorders {@code a} so that a[k] is the k-th smallest, a[..k) ≤ a[k] ≤ a(k..]; returns a[k]. */
	static float select(float[] a, int k) {
		int lo = 0, hi = a.length - 1;
		while (lo < hi) {
			float pivot = medianOfThree(a[lo], a[(lo + hi) >>> 1], a[hi]);
			// three-way partition (Dijkstra): [lo, lt) < pivot, [lt, i) == pivot, (gt, hi] > pivot;
			// equal keys (common in integer images) are settled in one pass
			int lt = lo, i = lo, gt = hi;
			while (i <= gt) {
				float v = a[i];
				if (v < pivot) swap(a, lt++, i++);
				else if (v > pivot) swap(a, i, gt--);
				else i++;
			}
			if (k < lt) hi = lt - 1;
			else if (k > gt) lo = gt + 1;
			else return pivot;
		}
		return a[k];
	}

	private static float medianOfThree(float x, float y, float z) {
		return Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
	}

	private static void swap(float[] a, int i, int j) {
		float t = a[i];
		a[i] = a[j];
		a[j] = t;
	}
}
