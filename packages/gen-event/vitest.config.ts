import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { name: "gen-event", include: ["test/**/*.test.ts"] },
});
