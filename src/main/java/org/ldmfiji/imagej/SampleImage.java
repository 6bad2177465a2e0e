package org.ldmfiji.imagej;

import ij.ImagePlus;
import ij.process.ByteProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;

import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.model.Manifest;
import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.task.HeapCheck;
import org.ldmfiji.task.LargeImageSampling;
import org.ldmfiji.task.OptionTable;
import org.ldmfiji.task.Progress;
import org.ldmfiji.task.Provenance;
import org.ldmfiji.task.SampleOptions;
import org.ldmfiji.task.SampleValues;
import org.ldmfiji.tiling.TileSettings;

import java.util.Locale;

/**
 * An image of any size sampled from noise with the bundle's {@code unconditional} denoiser, in latent tiles fused at
 * every step ({@link LargeImageSampling}),
 * conditioned on a domain label, as a new ImageJ image: the model's range [a, b] mapped linearly onto 0…255
 * (8-bit), 0…65535 (16-bit) or 0…1 (32-bit), clamped for the integer types.
 */
public final class SampleImage {

	/** What the user chooses ({@link SampleOptions}, the name the entry points use). */
	public static final class Options extends SampleOptions {
		@Override
		public Options type(String choice) {
			super.type(choice);
			return this;
		}
	}

	private SampleImage() {}

	public static ImagePlus run(ModelBundle bundle, SampleOptions o, Progress progress) {
		Manifest m = bundle.manifest();
		m.denoiser(LargeImageSampling.TASK); // refuses a bundle without the task before any work
		OptionTable.TYPE.choice(o.bitDepth + "-bit");
		OptionTable.WIDTH.check(o.width);
		OptionTable.HEIGHT.check(o.height);
		o.checkSampling();
		String label = o.label(m);
		if (m.imageChannels != 1) throw new IllegalArgumentException("model '" + m.name + "' makes " + m.imageChannels
			+ "-channel images; this command writes one-channel images");
		HeapCheck.require((long) o.width * o.height * (o.bitDepth / 8 + 4 * 2), String.format(Locale.ROOT,
			"a %dx%d %d-bit sample", o.width, o.height, o.bitDepth));
		progress.status(String.format(Locale.ROOT, "LDM sampling: %dx%d, label %s", o.width, o.height, label));
		TileSettings tiles = o.tiles(m);
		FloatPlanes x = new LargeImageSampling(bundle, o.sampling, tiles).run(o.width, o.height, label, o.guidance,
			progress.steps(0, o.sampling.stepsOn(m.schedule)));
		progress.checkCancelled();
		double a = m.imageRange[0], b = m.imageRange[1];
		double top = o.bitDepth == 8 ? 255 : o.bitDepth == 16 ? 65535 : 1;
		SampleValues values = new SampleValues(m.imageRange, top, o.bitDepth != 32);
		ImageProcessor ip = o.bitDepth == 8 ? new ByteProcessor(o.width, o.height) : o.bitDepth == 16
			? new ShortProcessor(o.width, o.height) : new FloatProcessor(o.width, o.height);
		for (int y = 0; y < o.height; y++)
			for (int i = 0; i < o.width; i++) {
				double v = values.pixel(x.get(0, y, i));
				if (o.bitDepth == 32) ip.setf(i, y, (float) v);
				else ip.set(i, y, (int) v);
			}
		ImagePlus out = new ImagePlus("LDM sample " + (label == null ? "" : label + " ") + "seed " + o.sampling.seed, ip);
		if (o.bitDepth == 32) out.setDisplayRange(0, 1);
		else out.resetDisplayRange();
		StringBuilder info = Provenance.of("large-image sampling", null, bundle, LargeImageSampling.TASK, o.sampling);
		info.append(String.format(Locale.ROOT, "size: %dx%d, label: %s, guidance: %s%n", o.width, o.height, label,
			o.guidance));
		info.append("tiles: ").append(tiles).append('\n');
		info.append(String.format(Locale.ROOT, "values: model range [%s, %s] mapped onto [0, %s]%n", a, b, top));
		out.setProperty("Info", info.toString());
		return out;
	}
}
