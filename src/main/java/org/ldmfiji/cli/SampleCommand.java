package org.ldmfiji.cli;

import ij.IJ;
import ij.ImagePlus;

import org.ldmfiji.diffusion.StepListener;
import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.image.IjImages;
import org.ldmfiji.image.ValueMap;
import org.ldmfiji.model.Manifest;
import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.task.LargeImageSampling;
import org.ldmfiji.tiling.TileSettings;

import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code ./ldm sample --width W --height H --output OUT}: an image of any size from the label-conditioned denoiser,
 * sampled in overlapping tiles ({@link LargeImageSampling}). Output 8-, 16- or 32-bit (values 0…255, 0…65535 or
 * 0…1 for the model's range), TIFF or PNG, with the run's provenance in the image's Info.
 */
final class SampleCommand {

	static final String TITLE = "LDM Large Image Sampling";

	private final Options options;

	SampleCommand(List<String> args) {
		options = new Options("sample", args, Set.of("model", "steps", "sampler", "seed", "eta", "device", "output", "width",
			"height", "label", "guidance", "tile", "overlap", "batch", "bits"), Set.of());
	}

	int run(PrintStream out) {
		int width = options.integer("width", -1, 1, 1 << 17), height = options.integer("height", -1, 1, 1 << 17);
		if (width < 0 || height < 0) throw new Options.UsageException("'sample' needs --width and --height (pixels)");
		Path output = Paths.get(options.required("output"));
		boolean png = output.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png");
		int bits = options.integer("bits", png ? 8 : 16, 8, 32);
		if (bits != 8 && bits != 16 && bits != 32) throw new Options.UsageException("--bits must be 8, 16 or 32, got " + bits);
		if (png && bits != 8) throw new Options.UsageException("a PNG holds 8 bits: use --bits 8 or write a .tif");
		RunSettings run = new RunSettings(options, 0);
		double guidance = options.number("guidance", 3.0);
		try (ModelBundle bundle = run.openBundle()) {
			Manifest m = bundle.manifest();
			Manifest.DenoiserSpec spec = m.denoiser(LargeImageSampling.TASK);
			String label = options.get("label", null);
			if (label == null && spec.context != null) label = spec.context.labels.stream()
				.filter(l -> !l.equals(spec.context.nullLabel)).findFirst().orElse(null);
			TileSettings defaults = TileSettings.defaults(m, LargeImageSampling.TASK);
			int tile = options.integer("tile", defaults.tile, 1, 1 << 16);
			int overlap = options.integer("overlap", options.get("tile", null) == null ? defaults.overlap
				: TileSettings.defaultOverlap(tile, m.autoencoder.factor), 0, 1 << 16);
			TileSettings tiles = defaults.withTile(tile, overlap).withBatch(options.integer("batch", 0, 0, 1024));
			out.println(String.format(Locale.ROOT, "model %s on %s, %s, %dx%d, label %s, guidance %g, %s", m.name,
				bundle.device(), run.sampling, width, height, label, guidance, tiles));
			long start = System.nanoTime();
			FloatPlanes image = new LargeImageSampling(bundle, run.sampling, tiles).run(width, height, label, guidance,
				progress(out));
			double seconds = (System.nanoTime() - start) / 1e9;
			String info = provenance(m, spec, run, label, guidance, tiles, width, height);
			ImageFiles.save(toImage(image, m.imageRange, bits, output.getFileName().toString(), info), output);
			out.println(String.format(Locale.ROOT, "wrote %s (%d-bit, %.1f s)", output.toAbsolutePath(), bits, seconds));
			return 0;
		}
	}

	/** The image in the requested bit depth: the model's range mapped to 0…255, 0…65535, or 0…1 for 32-bit. */
	static ImagePlus toImage(FloatPlanes image, double[] range, int bits, String title, String info) {
		double top = bits == 8 ? 255 : bits == 16 ? 65535 : 1;
		FloatPlanes values = new ValueMap(0, top, range[0], range[1]).inverse(image);
		ImagePlus template = IJ.createHyperStack(title, 1, 1, image.channels(), 1, 1, bits);
		template.setDisplayRange(0, top);
		ImagePlus imp = IjImages.createLike(template, title, image.width(), image.height(), info);
		IjImages.writeChannels(values, imp, 1, 1);
		return imp;
	}

	/** What fixes the result: model and file hashes, seed, sampler, steps, label, guidance and the tile layout. */
	static String provenance(Manifest m, Manifest.DenoiserSpec spec, RunSettings run, String label, double guidance,
		TileSettings tiles, int width, int height)
	{
		return String.join("\n", "Latent Diffusion for Fiji: " + TITLE,
			"model: " + m.name + " (" + m.folder + ")",
			"denoiser: " + spec.file.file + " sha256 " + spec.file.sha256,
			"decoder: " + m.autoencoder.decoder.file + " sha256 " + m.autoencoder.decoder.sha256,
			String.format(Locale.ROOT, "size: %dx%d", width, height),
			"label: " + label, "guidance: " + guidance,
			run.sampling.toString(),
			String.format(Locale.ROOT, "tile: %d px, overlap %d px; autoencoder tile %d px, overlap %d px", tiles.tile,
				tiles.overlap, tiles.autoencoderTile, tiles.autoencoderOverlap));
	}

	private static StepListener progress(PrintStream out) {
		long start = System.nanoTime();
		return (done, total) -> {
			Interruption.stepDone();
			out.println(String.format(Locale.ROOT, "  step %d/%d (%.1f s)", done, total, (System.nanoTime() - start) / 1e9));
		};
	}
}
