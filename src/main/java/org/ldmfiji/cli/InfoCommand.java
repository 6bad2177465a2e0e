package org.ldmfiji.cli;

import org.ldmfiji.model.EngineInfo;
import org.ldmfiji.model.TorchRuntime;
import org.ldmfiji.task.OptionTable;

import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/** {@code ./ldm info}: engine, version, device, and the models found. */
final class InfoCommand {

	private final Options options;

	InfoCommand(List<String> args) {
		options = new Options("info", args, Set.of("device"), Set.of());
	}

	int run(PrintStream out) {
		EngineInfo.report(TorchRuntime.DevicePreference.parse(options.choice(OptionTable.DEVICE))).forEach(out::println);
		return 0;
	}
}
