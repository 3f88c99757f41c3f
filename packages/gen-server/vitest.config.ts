import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { name: "gen-server", include: ["test/**/*.test.ts"] },
});
