package org.ldmfiji.command;

import org.scijava.Cancelable;
import org.scijava.app.StatusService;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;

/**
 * Base of this plugin's SciJava commands: {@link Cancelable} (a cancelled run produces nothing and says why) and
 * the status bar. Not {@code ContextCommand}, whose own {@code context} parameter would take the name that inpainting's
 * context margin reads best under in a recorded macro.
 */
abstract class LdmCommand implements Command, Cancelable {

	@Parameter
	StatusService status;

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
