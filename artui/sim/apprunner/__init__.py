"""The simulated App Runner API, one concern per module.

- `api`: AppRunnerBackend, the handler of every App Runner operation;
- `validate`: requests checked against botocore's model of the API;
- `rules`: App Runner's rules the model does not state (instance sizes, sources);
- `limits`: the service quota and the supported instance sizes;
- `services`: the service record and the documents it answers with;
- `operations`: operations, how long each takes and the status it leaves behind;
- `lifecycle`: what App Runner refuses in which service status;
- `domains`: custom domains, their lifecycle, documents and rules;
- `failures`: the one place that decides whether an operation fails;
- `configs`: auto scaling and observability configurations, VPC connectors (revisions, ARNs,
  quotas);
- `paging`: NextToken and MaxResults, tokens bound to their listing;
- `ids`: ids, ARNs and URLs.
"""
