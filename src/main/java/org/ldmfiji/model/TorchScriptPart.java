package org.ldmfiji.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * One TorchScript file of a bundle, loaded straight onto its device ({@code mapLocation}). Forward results
 * attach to the manager of the first input, so a caller's per-step scope owns them.
 */
public final class TorchScriptPart implements AutoCloseable {

	private final Model model;
	private final Block block;
	private final String file;

	TorchScriptPart(Path path, Device device) {
		file = path.getFileName().toString();
		TorchRuntime.engine();
		model = Model.newInstance(file, device, TorchRuntime.ENGINE);
		try {
			model.load(path, null, Map.of("mapLocation", "true"));
		}
		catch (IOException | MalformedModelException | RuntimeException e) {
			model.close();
			throw new BundleException("cannot load TorchScript file " + path + " (" + e.getMessage()
				+ "): export it with torch.jit.script/trace and torch.jit.save (models/ldm_models/export.py)", e);
		}
		block = model.getBlock();
	}

	/** The file name, for messages. */
	public String file() {
		return file;
	}

	/** Runs the module's forward on the given inputs. */
	public NDList forward(NDList inputs) {
		NDManager manager = inputs.head().getManager();
		return block.forward(new ParameterStore(manager, false), inputs, false);
	}

	@Override
	public void close() {
		model.close();
	}
}
