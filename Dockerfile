# dialsim in a container, for sweeps on a cluster (docs/cluster.md):
#   docker build -t dialsim .
#   docker run --rm -v "$PWD/out:/out" dialsim dialsim sweep scenarios/sweeps/quick.ron --out /out/sweep.json
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release -p dialsim --bin dialsim

FROM debian:bookworm-slim
RUN useradd --create-home dialsim
COPY --from=build /src/target/release/dialsim /usr/local/bin/dialsim
COPY --from=build /src/scenarios /work/scenarios
WORKDIR /work
USER dialsim
CMD ["dialsim", "--help"]
