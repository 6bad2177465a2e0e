package org.ldmfiji.cli;

import ij.ImagePlus;
import ij.process.FloatProcessor;

import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * For {@link KillDuringWriteTest}: writes image A and image B over TARGET in turn, forever, through
 * {@link ImageFiles#save}, printing "writing" before the first write. Arguments: TARGET SIZE.
 */
public final class WriteLoop {

	private WriteLoop() {}

	static ImagePlus image(int size, boolean b) {
		float[] px = new float[size * size];
		for (int i = 0; i < px.length; i++) px[i] = b ? i % 9973 : 1;
		return new ImagePlus(b ? "B" : "A", new FloatProcessor(size, size, px));
	}

	public static void main(String[] args) {
		Path target = Paths.get(args[0]);
		int size = Integer.parseInt(args[1]);
		ImagePlus a = image(size, false), b = image(size, true);
		System.out.println("writing");
		System.out.flush();
		for (long k = 0;; k++) ImageFiles.save(k % 2 == 0 ? b : a, target);
	}
}
