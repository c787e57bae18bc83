// One small messenger between the page and a worker: each request carries an id and a named
// action; the worker answers {id, result} or {id, error}.

export class WorkerMessenger {
  /** @param {Worker} worker */
  constructor(worker) {
    this.worker = worker;
    this.nextId = 1;
    /** @type {Map<number, {resolve: Function, reject: Function}>} */
    this.pending = new Map();
    worker.addEventListener("message", ({ data }) => {
      const call = this.pending.get(data?.id);
      if (!call) return;
      this.pending.delete(data.id);
      if ("error" in data) call.reject(new Error(data.error));
      else call.resolve(data.result);
    });
    worker.addEventListener("error", (event) => {
      const error = new Error(event.message || "The model worker failed.");
      for (const call of this.pending.values()) call.reject(error);
      this.pending.clear();
    });
  }

  /** Ask the worker to run `action`; resolves with its result. */
  request(action, payload = {}) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, action, payload });
    });
  }
}

/** Worker side: answer requests with the named handlers (one at a time, in arrival order). */
export function serve(handlers, scope = self) {
  let queue = Promise.resolve();
  scope.addEventListener("message", ({ data }) => {
    const { id, action, payload } = data ?? {};
    queue = queue.then(async () => {
      try {
        const handler = handlers[action];
        if (!handler) throw new Error(`unknown action ${action}`);
        scope.postMessage({ id, result: await handler(payload) });
      } catch (error) {
        scope.postMessage({ id, error: String(error?.message ?? error) });
      }
    });
  });
}
