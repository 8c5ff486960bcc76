import FCGIHost

/// "Is autonomy really running?" answered with data, in the exact shapes of
/// PROOFS.md §4 (built by `api_proof_autonomy()` and `api_proof_jobs()`).
enum ProofRoutes {
    static func register(_ router: inout Router) {
        router.get("/api/_proof/autonomy") { context in
            .json(try context.api().proofAutonomy())
        }
        router.get("/api/_proof/jobs") { context in
            .json(try context.api().proofJobs())
        }
    }
}
