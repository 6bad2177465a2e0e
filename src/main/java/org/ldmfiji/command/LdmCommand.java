package org.ldmfiji.command;

import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.model.Bundles;
import org.ldmfiji.task.Option;
import org.ldmfiji.task.OptionTable;
import org.ldmfiji.task.SamplingSettings;
import org.scijava.Cancelable;
import org.scijava.app.AppService;
import org.scijava.app.StatusService;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;

import java.nio.file.Path;
import java.util.List;

/**
 * Base of this plugin's SciJava commands: the parameters every one takes (model, sampler, steps, seed; recorded by
 * these names), {@link Cancelable} (a cancelled run produces nothing and says why) and the status bar. Not {@code ContextCommand}, whose own {@code context} parameter would take the name that inpainting's
 * context margin reads best under in a recorded macro.
 */
abstract class LdmCommand implements Command, Cancelable {

	@Parameter
	StatusService status;

	/** The application (Fiji) whose folder holds the update site's models, {@code <Fiji.app>/models/ldm/}. */
	@Parameter(required = false)
	private AppService apps;

	@Parameter(label = "Model", description = "Model name in the models folders, or a bundle folder")
	private String model = OptionTable.MODEL.defaultText();

	@Parameter(label = "Sampler", choices = {"dpmpp2m", "ddim"})
	private String sampler = OptionTable.SAMPLER.defaultText();

	@Parameter(label = "Steps", min = "1", max = "1000")
	private int steps;

	@Parameter(label = "Seed", min = "-9007199254740992", max = "9007199254740992")
	private long seed = OptionTable.SEED.defaultLong();

	@Parameter(label = "Prompt", required = false, description = "Text the model is conditioned on (models that take "
		+ "text, e.g. Stable Diffusion; leave empty for others)")
	private String prompt = OptionTable.PROMPT.defaultText();

	@Parameter(label = "Negative prompt", required = false, description = "Unconditional context of classifier-free "
		+ "guidance (empty: the model's null prompt)")
	private String negative = OptionTable.NEGATIVE_PROMPT.defaultText();

	/** With the option table's default steps. */
	LdmCommand() {
		this(OptionTable.STEPS);
	}

	/** With {@code steps}' default (super-resolution has its own, {@link OptionTable#SR_STEPS}). */
	LdmCommand(Option steps) {
		this.steps = steps.defaultInt();
	}

	/** The sampler, steps, seed, prompts and guidance chosen. */
	SamplingSettings sampling() {
		return new SamplingSettings(SamplingSettings.SamplerKind.parse(OptionTable.SAMPLER.choice(sampler)), steps, seed, 0)
			.withText(prompt, negative, guidance());
	}

	/** The classifier-free guidance scale chosen. */
	abstract double guidance();

	/** The chosen model, opened on the session's device. */
	ModelBundle openModel() {
		return Bundles.open(model, appFolders(apps));
	}

	/** The application's folder (known to SciJava even when no launcher set {@code -Dimagej.dir}), if any. */
	static List<Path> appFolders(AppService apps) {
		if (apps == null || apps.getApp() == null || apps.getApp().getBaseDirectory() == null) return List.of();
		return List.of(apps.getApp().getBaseDirectory().toPath());
	}

	private String cancelReason;

	@Override
	public boolean isCanceled() {
		return cancelReason != null;
	}

	@Override
	public void cancel(String reason) {
		cancelReason = reason == null ? "cancelled" : reason;
	}

	@Override
	public String getCancelReason() {
		return cancelReason;
	}
}
