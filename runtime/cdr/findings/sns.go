package findings

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/rampart-sec/rampart/runtime/cdr/config"
)

// SNS publishes each finding's ASFF document to an SNS topic (for example one that feeds a
// Lambda calling Security Hub's BatchImportFindings). Credentials come from the SDK's
// default chain: environment, shared files, the instance or task role.
type SNS struct {
	format ASFF
	topic  string
	client *sns.Client
}

// NewSNS builds the client for the topic's region (or the configured one and endpoint).
func NewSNS(ctx context.Context, c *config.ASFF) (*SNS, error) {
	format := NewASFFFormat(c)
	cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(format.Region))
	if err != nil {
		return nil, fmt.Errorf("asff sns: load AWS configuration: %w", err)
	}
	client := sns.NewFromConfig(cfg, func(o *sns.Options) {
		if c.Endpoint != "" {
			o.BaseEndpoint = aws.String(c.Endpoint)
		}
	})
	return &SNS{format: format, topic: c.SNSTopicARN, client: client}, nil
}

// Name implements Sink.
func (s *SNS) Name() string { return "sns" }

// Send implements Sink.
func (s *SNS) Send(ctx context.Context, f *Finding) error {
	doc, err := json.Marshal(s.format.Document(f))
	if err != nil {
		return fmt.Errorf("encode asff: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, dialTimeout*2)
	defer cancel()
	_, err = s.client.Publish(ctx, &sns.PublishInput{
		TopicArn: aws.String(s.topic),
		Message:  aws.String(string(doc)),
		Subject:  aws.String(truncate("rampart-cdr "+f.Type+" "+SeverityLabel(f.Severity), 100)),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{
			"finding_type": {DataType: aws.String("String"), StringValue: aws.String(f.Type)},
			"severity":     {DataType: aws.String("Number"), StringValue: aws.String(fmt.Sprint(f.Severity))},
		},
	})
	if err != nil {
		return fmt.Errorf("sns publish to %s: %w", s.topic, err)
	}
	return nil
}

// Close implements Sink.
func (s *SNS) Close() error { return nil }
