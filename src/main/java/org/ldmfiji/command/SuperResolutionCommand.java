package org.ldmfiji.command;

import ij.ImagePlus;

import org.ldmfiji.model.BundleException;
import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.task.OptionTable;
import org.ldmfiji.imagej.SuperResolveImage;
import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import java.util.concurrent.CancellationException;

/**
 * Plugins &gt; Latent Diffusion &gt; LDM Super-Resolution...: the image x4 (the model's f) with
 * {@link SuperResolveImage}. Recorded as {@code run("LDM Super-Resolution...", "steps=10 seed=1 consistency")}.
 */
@Plugin(type = Command.class, menuPath = "Plugins>Latent Diffusion>LDM Super-Resolution...")
public class SuperResolutionCommand extends LdmCommand {

	@Parameter(label = "Image")
	private ImagePlus imp;

	@Parameter(label = "Samples (averaged into the result)", min = "1", max = "64", description = "Samples averaged "
		+ "into the result in one batch (closest to the truth on average) and a std map; 1: a single sample, sharper but "
		+ "with invented detail")
	private int samples = OptionTable.SR_SAMPLES.defaultInt();

	@Parameter(label = "Tile (px, 0 = auto)", min = "0", max = "65536", description = "Input tile side for large images")
	private int tile = OptionTable.TILE.defaultInt();

	@Parameter(label = "Consistency", description = "Correct the result (smoothly) so that, area-downsampled, it gives the input")
	private boolean consistency = OptionTable.CONSISTENCY.defaultFlag();

	@Parameter(label = "Current plane only", description = "Refuse stacks instead of processing every plane")
	private boolean current = OptionTable.CURRENT.defaultFlag();

	@Parameter(label = "Guidance", min = "0", max = "30", description = "Classifier-free guidance scale (1: none; "
		+ "models that take text)")
	private double guidance = OptionTable.GUIDANCE.defaultNumber();

	@Parameter(type = ItemIO.OUTPUT)
	private ImagePlus result;

	@Parameter(type = ItemIO.OUTPUT, required = false)
	private ImagePlus std;

	/** Super-resolution's own default steps ({@link OptionTable#SR_STEPS}). */
	public SuperResolutionCommand() {
		super(OptionTable.SR_STEPS);
	}

	@Override
	public void run() {
		CommandProgress progress = new CommandProgress(status, this, "LDM Super-Resolution");
		try {
			SuperResolveImage.Options o = new SuperResolveImage.Options();
			o.sampling = sampling();
			o.samples = samples;
			o.tile = tile;
			o.consistency = consistency;
			o.allPlanes = !current;
			try (ModelBundle bundle = openModel()) {
				SuperResolveImage.Result r = SuperResolveImage.run(bundle, imp, o, progress);
				result = r.image;
				std = r.std;
			}
		}
		catch (CancellationException e) {
			cancel(e.getMessage());
		}
		catch (IllegalArgumentException | IllegalStateException | BundleException e) {
			cancel("LDM Super-Resolution: " + e.getMessage());
		}
		finally {
			progress.done();
		}
	}

	@Override
	double guidance() {
		return guidance;
	}
}
