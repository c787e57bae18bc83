// The head's first script, tiny and classic (it runs before the page goes on being read): a
// signed-in visit asks for the first view's answers while the page's own script is still on
// its way; main.js's boot asks for the same URLs and its fetch() takes these answers.
import { firstRequests, signedInHint } from "./signed-in.js";

if (signedInHint()) {
  for (const href of firstRequests()) {
    const link = Object.assign(document.createElement("link"), { rel: "preload", as: "fetch", href });
    link.crossOrigin = "anonymous"; // a same-origin fetch() with the cookie: the page's own requests
    document.head.append(link);
  }
}
