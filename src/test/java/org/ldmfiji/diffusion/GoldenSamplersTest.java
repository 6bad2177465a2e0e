package org.ldmfiji.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Compares schedules, timesteps, noise and sampler trajectories with src/test/python/golden_samplers.py (float64). */
class GoldenSamplersTest {

	/** float32 sampling against float64 golden values: errors seen are below 2e-6; a wrong coefficient gives more than 1e-3. */
	private static final double TRAJECTORY_TOL = 1e-5;

	private static JsonObject golden;

	@BeforeAll
	static void load() throws IOException {
		try (Reader r = new InputStreamReader(GoldenSamplersTest.class.getResourceAsStream("/golden/samplers.json"),
			StandardCharsets.UTF_8)) {
			golden = JsonParser.parseReader(r).getAsJsonObject();
		}
	}

	@Test
	void schedulesMatchCompVis() {
		for (JsonElement e : golden.getAsJsonArray("schedules")) {
			JsonObject g = e.getAsJsonObject();
			String type = g.get("type").getAsString();
			NoiseSchedule schedule = NoiseSchedule.of(type, g.get("linear_start").getAsDouble(),
				g.get("linear_end").getAsDouble(), g.get("timesteps").getAsInt(), g.get("cosine_s").getAsDouble());
			int[] idx = ints(g.getAsJsonArray("indices"));
			double[] expected = doubles(g.getAsJsonArray("alphas_cumprod"));
			for (int k = 0; k < idx.length; k++) {
				double rel = Math.abs(schedule.alphaBar(idx[k]) / expected[k] - 1);
				assertTrue(rel < 1e-10, type + " schedule: expected alpha_bar[" + idx[k] + "] = " + expected[k]
					+ " (CompVis make_beta_schedule), got " + schedule.alphaBar(idx[k]));
			}
		}
	}

	@Test
	void ddimTimestepsAreCompVisUniform() {
		for (JsonElement e : golden.getAsJsonArray("ddim_uniform")) {
			JsonObject g = e.getAsJsonObject();
			int steps = g.get("steps").getAsInt();
			assertArrayEquals(ints(g.getAsJsonArray("timesteps")), Timesteps.ddimUniform(steps, g.get("T").getAsInt()),
				"DDIM timesteps for S = " + steps + ": expected reversed range(0, T, T//S) + 1");
		}
	}

	@Test
	void karrasTimesteps() {
		NoiseSchedule schedule = NoiseSchedule.of("linear", 0.0015, 0.0205, 1000, 0);
		for (JsonElement e : golden.getAsJsonArray("karras")) {
			JsonObject g = e.getAsJsonObject();
			int steps = g.get("steps").getAsInt();
			assertArrayEquals(ints(g.getAsJsonArray("timesteps")),
				Timesteps.karras(schedule, steps, g.get("rho").getAsDouble()),
				"Karras rho=7 timesteps for " + steps + " steps (nearest in log sigma, repeats dropped)");
		}
	}

	@Test
	void noiseFollowsItsSpecification() {
		for (JsonElement e : golden.getAsJsonArray("noise")) {
			JsonObject g = e.getAsJsonObject();
			double[] expected = doubles(g.getAsJsonArray("values"));
			float[] actual = new GaussianNoise(g.get("seed").getAsLong())
				.values(g.get("stream").getAsInt(), g.get("offset").getAsLong(), expected.length);
			for (int i = 0; i < expected.length; i++) {
				assertEquals(expected[i], actual[i], 1e-6, "noise " + g + " value " + i
					+ ": expected SplitMix64 + Box-Muller as documented in GaussianNoise");
			}
		}
	}

	@Test
	void trajectoriesMatchPythonReference() {
		JsonObject tr = golden.getAsJsonObject("trajectories");
		JsonObject sc = tr.getAsJsonObject("schedule");
		NoiseSchedule schedule = NoiseSchedule.of(sc.get("type").getAsString(), sc.get("linear_start").getAsDouble(),
			sc.get("linear_end").getAsDouble(), sc.get("timesteps").getAsInt(), 0);
		Shape shape = new Shape(longs(tr.getAsJsonArray("shape")));
		double[] mu = doubles(tr.getAsJsonArray("mu"));
		for (JsonElement e : tr.getAsJsonArray("runs")) {
			JsonObject run = e.getAsJsonObject();
			int steps = run.get("steps").getAsInt();
			Sampler sampler;
			String what;
			if (run.get("sampler").getAsString().equals("ddim")) {
				double eta = run.get("eta").getAsDouble();
				GaussianNoise noise = run.get("noise_seed").isJsonNull() ? null : new GaussianNoise(run.get("noise_seed").getAsLong());
				sampler = new Ddim(steps, eta, noise);
				what = "DDIM S=" + steps + " eta=" + eta;
			} else {
				sampler = new DpmSolverPP2M(steps);
				what = "DPM-Solver++(2M) " + steps + " steps";
			}
			GaussianDenoiser model = new GaussianDenoiser(schedule, mu, tr.get("s").getAsDouble(), true);
			try (NDManager manager = NDManager.newBaseManager()) {
				NDArray x = new GaussianNoise(tr.get("x_T_seed").getAsLong()).initialNoise(manager, shape);
				float[] out = sampler.sample(model, x, schedule, StepListener.NONE).toFloatArray();
				int[] ts = ints(run.getAsJsonArray("timesteps"));
				assertArrayEquals(ts, model.calledTimesteps.stream().mapToInt(Integer::intValue).toArray(),
					what + ": model called at other timesteps than the reference");
				JsonArray inputs = run.getAsJsonArray("model_inputs");
				for (int k = 0; k < ts.length; k++) {
					assertClose(doubles(inputs.get(k).getAsJsonArray()), model.calledInputs.get(k),
						what + ", model input at step " + (k + 1) + " (t = " + ts[k] + ")");
				}
				assertClose(doubles(run.getAsJsonArray("output")), out, what + ", x_0");
			}
		}
	}

	private static void assertClose(double[] expected, float[] actual, String what) {
		assertEquals(expected.length, actual.length, what + ": size");
		for (int i = 0; i < expected.length; i++) {
			assertEquals(expected[i], actual[i], TRAJECTORY_TOL, what + ": element " + i + " expected " + expected[i]);
		}
	}

	private static double[] doubles(JsonArray a) {
		double[] d = new double[a.size()];
		for (int i = 0; i < d.length; i++) d[i] = a.get(i).getAsDouble();
		return d;
	}

	private static int[] ints(JsonArray a) {
		int[] d = new int[a.size()];
		for (int i = 0; i < d.length; i++) d[i] = a.get(i).getAsInt();
		return d;
	}

	private static long[] longs(JsonArray a) {
		long[] d = new long[a.size()];
		for (int i = 0; i < d.length; i++) d[i] = a.get(i).getAsLong();
		return d;
	}
}
