use thiserror::Error;

#[derive(Debug, Error)]
pub enum SimError {
    #[error("cannot read scenario {path}: {source}")]
    ReadScenario {
        path: String,
        source: std::io::Error,
    },
    #[error("scenario {path} is not valid: {message}")]
    BadScenario { path: String, message: String },
    #[error("unknown scenario '{0}': use demo, large or a path to a .json file")]
    UnknownScenario(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Tls(String),
}
