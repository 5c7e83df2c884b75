import Foundation
import Testing
import Training

@Suite("Run configs")
struct ConfigTests {
    @Test("a config parses with defaults filled in, and its resolved TOML parses back to the same config")
    func roundTrip() throws {
        let text = """
        name = "warmup-adam"
        steps = 50
        [data]
        source = "gaussian_mixture"
        count = 300
        [model]
        hidden = [32]
        activation = "gelu"
        loss = "mse"
        [optimizer]
        kind = "adam"
        lr = 1e-3
        [schedule]
        warmup_steps = 10
        decay = "cosine"
        [record]
        spectrum_geometric = 2.0
        """
        let c = try RunConfig.parse(text, file: "a.toml")
        #expect(c.name == "warmup-adam" && c.steps == 50 && c.seed == 0 && c.dtype == "f32")
        #expect(c.data.source == .gaussianMixture && c.data.count == 300)
        #expect(c.model.hidden == [32] && c.model.activation == .gelu && c.model.loss == .meanSquaredError)
        #expect(c.optimizer.kind == .adam && c.optimizer.lr == 1e-3 && c.optimizer.beta1 == 0.9)
        #expect(c.schedule.decay == .cosine && c.schedule.warmupSteps == 10)
        #expect(c.record.spectrumSteps(totalSteps: 50) == [0, 1, 2, 4, 8, 16, 32, 50])
        let again = try RunConfig.parse(c.resolvedTOML, file: "resolved.toml")
        #expect(again == c)
        let json = try JSONSerialization.jsonObject(with: Data(c.resolvedJSON.utf8)) as! [String: Any]
        #expect((json["optimizer"] as! [String: Any])["kind"] as? String == "adam")
        #expect(json["steps"] as? Int == 50)
    }

    @Test("unknown keys, bad values and syntax errors name the file, the key and what is allowed",
          arguments: [
            ("[optimizer]\nlrr = 0.1", ["a.toml", "optimizer.lrr", "allowed in [optimizer]", "lr"]),
            ("[optimizer]\nlr = -1", ["a.toml", "optimizer.lr = -1", "> 0"]),
            ("[optimizer]\nkind = \"adagrad\"", ["optimizer.kind = \"adagrad\"", "sgd, momentum, nesterov, adam, adamw"]),
            ("[model]\nactivation = 3", ["model.activation = 3", "tanh, relu, gelu"]),
            ("stepz = 10", ["unknown key 'stepz'", "top level"]),
            ("steps = 10\nsteps = 11", ["a.toml:2", "TOML syntax error"]),
            ("[record]\ntest_every = 5", ["record.test_every", "data.test_fraction"]),
            ("[data]\nsource = \"idx\"", ["data.images", "data.labels"]),
            ("data = 3", ["'data' must be a table"]),
          ])
    func errors(text: String, fragments: [String]) {
        do {
            _ = try RunConfig.parse(text, file: "a.toml")
            Issue.record("accepted: \(text)")
        } catch {
            let message = "\(error)"
            for fragment in fragments { #expect(message.contains(fragment), "'\(fragment)' missing from: \(message)") }
        }
    }

    @Test("a missing config file is an error naming it")
    func missingFile() {
        #expect(throws: ConfigError.self) { try RunConfig.load("/nonexistent/run.toml") }
    }
}
