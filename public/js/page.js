// Pages with no features of their own (legal pages): just the account header.
import { startPage } from "./common.js";

startPage();
