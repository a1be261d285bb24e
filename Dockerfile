# syntax=docker/dockerfile:1
# Dojo runs its TypeScript directly on Node 24 (type stripping), so the image needs no compile step:
# one stage resolves production dependencies, the final stage copies them with the sources.
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:24-slim AS runtime
ENV NODE_ENV=production \
    PORT=2567 \
    DATA_DIR=/var/lib/dojo
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY config ./config
COPY protocol ./protocol
COPY server ./server
COPY rooms ./rooms
COPY workers ./workers
RUN mkdir -p /var/lib/dojo && chown node:node /var/lib/dojo
USER node
EXPOSE 2567
VOLUME ["/var/lib/dojo"]
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||2567)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "server/main.ts"]
