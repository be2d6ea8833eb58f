# The oxy image: build the TypeScript and the native SQLite driver, then run as an unprivileged user.
FROM node:22-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
COPY web ./web
COPY scripts ./scripts
RUN npm ci && npm prune --omit=dev

FROM node:22-bookworm-slim
ENV NODE_ENV=production OXY_STATE_DIR=/var/lib/oxy
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY package.json ./
RUN mkdir -p /var/lib/oxy && chown node:node /var/lib/oxy
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s CMD node -e "fetch('http://127.0.0.1:3000/api/ready').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
ENTRYPOINT ["node", "bin/oxy.js"]
CMD ["serve", "--port", "3000", "--host", "0.0.0.0"]
