import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { name: "gen-statem", include: ["test/**/*.test.ts"] },
});
