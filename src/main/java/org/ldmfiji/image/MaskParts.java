package org.ldmfiji.image;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The parts of a mask, its 8-connected regions, numbered from the largest, and the pixels around them that each
 * part claims: a pixel of {@code around} takes the part that reaches it first, growing all parts together one
 * 8-neighbour step at a time (the nearest part, in the chessboard distance, ties to the first to arrive).
 */
final class MaskParts {

	private MaskParts() {}

	/**
	 * @param mask w·h row-major, true on the mask
	 * @param around w·h row-major, the pixels outside the mask to give to their nearest part
	 * @return w·h: the part's index (0 for the largest) on the mask's pixels and on the {@code around} pixels that a
	 *         part reaches through them, −1 elsewhere
	 */
	static int[] label(boolean[] mask, boolean[] around, int w, int h) {
		int n = w * h;
		int[] label = new int[n], queue = new int[n];
		Arrays.fill(label, -1);
		List<int[]> regions = new ArrayList<>(); // {first pixel, size}
		for (int seed = 0; seed < n; seed++) {
			if (!mask[seed] || label[seed] != -1) continue;
			int id = regions.size(), tail = 0;
			label[seed] = id;
			queue[tail++] = seed;
			for (int head = 0; head < tail; head++) tail = visit(queue[head], mask, label, id, queue, tail, w, h);
			regions.add(new int[] {seed, tail});
		}
		// renumber from the largest
		Integer[] order = new Integer[regions.size()];
		for (int i = 0; i < order.length; i++) order[i] = i;
		Arrays.sort(order, (a, b) -> Integer.compare(regions.get(b)[1], regions.get(a)[1]));
		int[] rank = new int[order.length];
		for (int r = 0; r < order.length; r++) rank[order[r]] = r;
		int tail = 0;
		for (int i = 0; i < n; i++)
			if (label[i] >= 0) {
				label[i] = rank[label[i]];
				queue[tail++] = i;
			}
		grow(label, queue, tail, around, w, h); // the parts grown together over the pixels around them
		return label;
	}

	/**
	 * For every pixel of {@code through}, the pixel of {@code from} that reaches it first when all of {@code from}
	 * grow together through {@code through}, one 8-neighbour step at a time (its nearest, in the chessboard distance
	 * along {@code through}); the pixels of {@code from} name themselves, the others −1.
	 */
	static int[] nearestOf(boolean[] from, boolean[] through, int w, int h) {
		int n = w * h;
		int[] label = new int[n], queue = new int[n];
		Arrays.fill(label, -1);
		int tail = 0;
		for (int i = 0; i < n; i++)
			if (from[i]) {
				label[i] = i;
				queue[tail++] = i;
			}
		grow(label, queue, tail, through, w, h);
		return label;
	}

	/**
	 * Breadth first from the {@code tail} queued pixels: each passes its label on to the unlabelled pixels of
	 * {@code where} that it reaches.
	 */
	private static void grow(int[] label, int[] queue, int tail, boolean[] where, int w, int h) {
		for (int head = 0; head < tail; head++)
			tail = visit(queue[head], where, label, label[queue[head]], queue, tail, w, h);
	}

	/** Labels the unlabelled 8-neighbours of p that lie on {@code where} with id, queueing them; returns the tail. */
	private static int visit(int p, boolean[] where, int[] label, int id, int[] queue, int tail, int w, int h) {
		int x = p % w, y = p / w;
		for (int dy = -1; dy <= 1; dy++)
			for (int dx = -1; dx <= 1; dx++) {
				int xx = x + dx, yy = y + dy;
				if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
				int q = yy * w + xx;
				if (where[q] && label[q] == -1) {
					label[q] = id;
					queue[tail++] = q;
				}
			}
		return tail;
	}
}
