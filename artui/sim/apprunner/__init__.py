"""The simulated App Runner API, one concern per module.

- `api`: AppRunnerBackend, the handler of every App Runner operation;
- `services`: the service record and the documents it answers with;
- `operations`: operations, how long each takes and the status it leaves behind;
- `lifecycle`: what App Runner refuses in which service status;
- `failures`: the one place that decides whether an operation fails;
- `paging`: NextToken and MaxResults;
- `ids`: ids, ARNs, URLs and the default autoscaling summary.
"""
