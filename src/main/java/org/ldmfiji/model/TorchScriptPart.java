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
import java.util.concurrent.atomic.LongAdder;

/**
 * One TorchScript file of a bundle, loaded straight onto its device ({@code mapLocation}). Forward results
 * attach to the manager of the first input, so a caller's per-step scope owns them.
 */
public final class TorchScriptPart implements AutoCloseable {

	private final Model model;
	private final Block block;
	private final String file;
	private final LongAdder forwardNanos = new LongAdder();

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
		long t0 = System.nanoTime();
		try {
			return block.forward(new ParameterStore(manager, false), inputs, false);
		}
		finally {
			forwardNanos.add(System.nanoTime() - t0);
		}
	}

	/**
	 * Wall time spent in {@link #forward} since the part was loaded, in nanoseconds: what the benchmark subtracts to
	 * get the pipeline's own cost. On a CPU the forward returns with its result computed; on a GPU it may return
	 * once the work is queued, so there it is a lower bound.
	 */
	public long forwardNanos() {
		return forwardNanos.sum();
	}

	@Override
	public void close() {
		model.close();
	}
}
