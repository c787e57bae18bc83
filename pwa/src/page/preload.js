// The head's first script, tiny and classic (it runs before the page goes on being read): a
// signed-in visit asks for the first view's answers while the page's own script is still on
// its way; main.js's boot asks for the same URLs and its fetch() takes these answers.
import { preloadFirstView } from "./signed-in.js";

preloadFirstView();
