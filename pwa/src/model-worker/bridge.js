// The Python side of the worker: JSON strings in and out, so nothing crosses as a proxy.
export const BRIDGE = `
import json
import shared_model

class _Bridge:
    def __init__(self):
        self.model = None
        self.settings = {}

    def load(self, snapshot_json, settings_json):
        self.settings = json.loads(settings_json) or {}
        snapshot = json.loads(snapshot_json)
        if isinstance(snapshot, dict) and "schema_version" not in snapshot:
            snapshot = snapshot.get("snapshot") or snapshot.get("model")
        source = "snapshot"
        try:
            self.model = shared_model.UserModel.from_dict(snapshot) if snapshot else None
        except (ValueError, KeyError, TypeError):
            self.model = None
        if self.model is None:
            self.model = shared_model.UserModel.new(self.settings)
            source = "new"
        return json.dumps({"interactions": self.model.interactions, "source": source})

    def rank(self, candidates_json, limit, now_ms):
        ranked = shared_model.rank(self.model, json.loads(candidates_json), self.settings,
                                   int(limit), int(now_ms))
        return json.dumps([{"id": t["id"], "score": t["score"], "reason": t.get("reason")}
                           for t in ranked])

    def learn(self, interaction_json, track_json):
        self.model.learn(json.loads(interaction_json), json.loads(track_json), self.settings)
        return json.dumps({"interactions": self.model.interactions})

encore_bridge = _Bridge()
`;
