//! The two ARNs the flow names: the Lambda's, given by the operator and checked part by part so
//! that the message says which part is wrong, and the queue's, built from the campaign's ids.

/// A `--lambda-arn` that is not a Lambda function's ARN.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "--lambda-arn {arn:?}: {problem}: give the function's ARN, like arn:aws:lambda:us-east-1:123456789012:function:ivr-lambda (`aws lambda get-function --function-name ivr-lambda --query Configuration.FunctionArn`)"
)]
pub struct LambdaArnError {
    pub arn: String,
    pub problem: ArnProblem,
}

/// Which part of a Lambda function ARN is wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ArnProblem {
    #[error("not a Lambda function ARN")]
    NotLambda,
    #[error("its Region is not a Region")]
    Region,
    #[error("its account is not 12 digits")]
    Account,
    #[error("its function name is not a Lambda function name (letters, digits, '-', '_')")]
    FunctionName,
}

/// The campaign file's `instance_id` or `queue_id` is an ARN or a path, not an id.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "instance_id {instance:?} / queue_id {queue:?}: give the ids, not ARNs or paths (the last part of the instance's and the queue's ARN) in the campaign file"
)]
pub struct QueueArnError {
    pub instance: String,
    pub queue: String,
}

/// A Lambda function ARN's parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LambdaArn {
    pub partition: String,
    pub region: String,
    pub account: String,
    pub function: String,
}

/// The queue the flow hands a caller to: the Connect instance's Region and the campaign file's
/// ids.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectQueue {
    pub region: String,
    pub instance_id: String,
    /// The queue's id, or its whole ARN.
    pub queue_id: String,
}

/// Twelve digits.
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.chars().all(|c| c.is_ascii_digit())
}

/// Parses `arn:aws:lambda:us-east-1:123456789012:function:name` (an alias or version after
/// another `:` is allowed).
pub fn parse_lambda_arn(arn: &str) -> Result<LambdaArn, LambdaArnError> {
    let bad = |problem| {
        Err(LambdaArnError {
            arn: arn.to_string(),
            problem,
        })
    };
    let parts: Vec<&str> = arn.split(':').collect();
    if parts.len() < 7 || parts.len() > 8 || parts[0] != "arn" {
        return bad(ArnProblem::NotLambda);
    }
    if !parts[1].starts_with("aws") || parts[2] != "lambda" || parts[5] != "function" {
        return bad(ArnProblem::NotLambda);
    }
    if parts[3].is_empty()
        || !parts[3]
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return bad(ArnProblem::Region);
    }
    if !is_account_id(parts[4]) {
        return bad(ArnProblem::Account);
    }
    let name_ok = |s: &str| {
        !s.is_empty()
            && s.len() <= 64
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    if !name_ok(parts[6]) || parts.get(7).is_some_and(|q| !name_ok(q)) {
        return bad(ArnProblem::FunctionName);
    }
    Ok(LambdaArn {
        partition: parts[1].to_string(),
        region: parts[3].to_string(),
        account: parts[4].to_string(),
        function: parts[6].to_string(),
    })
}

/// The queue's ARN in `partition` and `account` (a `queue_id` that already is an ARN is kept).
pub fn queue_arn(
    queue: &ConnectQueue,
    partition: &str,
    account: &str,
) -> Result<String, QueueArnError> {
    let ConnectQueue {
        region,
        instance_id,
        queue_id,
    } = queue;
    if queue_id.starts_with("arn:") {
        return Ok(queue_id.clone());
    }
    if instance_id.contains([':', '/']) || queue_id.contains([':', '/']) {
        return Err(QueueArnError {
            instance: instance_id.clone(),
            queue: queue_id.clone(),
        });
    }
    Ok(format!(
        "arn:{partition}:connect:{region}:{account}:instance/{instance_id}/queue/{queue_id}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:ivr-lambda";

    #[test]
    fn a_bad_lambda_arn_says_which_part_is_wrong() {
        let problem = |arn: &str| parse_lambda_arn(arn).map(|_| ()).map_err(|e| e.problem);
        assert_eq!(problem(ARN), Ok(()));
        assert_eq!(problem("ivr-lambda"), Err(ArnProblem::NotLambda));
        assert_eq!(
            problem("arn:aws:s3:us-east-1:123456789012:function:x"),
            Err(ArnProblem::NotLambda)
        );
        assert_eq!(
            problem("arn:aws:lambda:US-EAST-1:123456789012:function:x"),
            Err(ArnProblem::Region)
        );
        assert_eq!(
            problem("arn:aws:lambda:us-east-1:1234:function:x"),
            Err(ArnProblem::Account)
        );
        assert_eq!(
            problem("arn:aws:lambda:us-east-1:123456789012:function:a.b"),
            Err(ArnProblem::FunctionName)
        );
        let lambda =
            parse_lambda_arn("arn:aws-cn:lambda:cn-north-1:123456789012:function:f:live").unwrap();
        assert_eq!(
            (
                lambda.partition.as_str(),
                lambda.region.as_str(),
                lambda.function.as_str()
            ),
            ("aws-cn", "cn-north-1", "f")
        );
    }

    #[test]
    fn a_queue_arn_is_built_from_the_ids_and_a_given_arn_is_kept() {
        let mut q = ConnectQueue {
            region: "us-east-1".into(),
            instance_id: "i".into(),
            queue_id: "q".into(),
        };
        assert_eq!(
            queue_arn(&q, "aws", "123456789012").unwrap(),
            "arn:aws:connect:us-east-1:123456789012:instance/i/queue/q"
        );
        let arn = "arn:aws:connect:us-east-1:111122223333:instance/i/queue/q";
        q.queue_id = arn.into();
        assert_eq!(queue_arn(&q, "aws", "123456789012").unwrap(), arn);
        q.queue_id = "i/queue/q".into();
        assert!(queue_arn(&q, "aws", "123456789012").is_err());
    }
}
